import { test } from "node:test";
import assert from "node:assert/strict";
import { createProgress, formatDuration, formatNumber } from "../../src/io/progress.js";

/** A stream that records what is written, and a clock the test moves by hand. */
function fakes(isTTY: boolean, columns?: number) {
  const writes: string[] = [];
  const stream = { isTTY, columns, write: (text: string) => writes.push(text) };
  const clock = { t: 1000 };
  return { writes, stream, clock, now: () => clock.t };
}

test("formatNumber is compact", () => {
  assert.equal(formatNumber(0), "0");
  assert.equal(formatNumber(1234), "1234");
  assert.equal(formatNumber(12345), "12.3k");
  assert.equal(formatNumber(1_234_567), "1.23M");
  assert.equal(formatNumber(10_000), "10k");
  assert.equal(formatNumber(5.123456), "5.123");
  assert.equal(formatNumber(5.1), "5.1");
  assert.equal(formatNumber(0.012345), "0.01235");
  assert.equal(formatNumber(0.0000123), "1.2e-5");
  assert.equal(formatNumber(-2.5), "-2.5");
  assert.equal(formatNumber(NaN), "NaN");
  assert.equal(formatNumber(3e16), "3.00e+16");
});

test("formatDuration uses s, m:ss and h:mm:ss", () => {
  assert.equal(formatDuration(0), "0s");
  assert.equal(formatDuration(42_400), "42s");
  assert.equal(formatDuration(187_000), "3:07");
  assert.equal(formatDuration(3_723_000), "1:02:03");
  assert.equal(formatDuration(NaN), "?");
});

test("on a TTY one line is redrawn in place with bar, counts, fields, elapsed and ETA", () => {
  const { writes, stream, clock, now } = fakes(true);
  const progress = createProgress({ total: 1000, label: "train", stream, now });
  clock.t += 10_000;
  progress.update(250, { loss: 5.123456, "tok/s": 12345 });
  assert.equal(writes.length, 1);
  assert.equal(
    writes[0],
    "\r\x1b[2Ktrain  [#####---------------]  250/1000  25%  loss 5.123  tok/s 12.3k  elapsed 10s  eta 30s",
  );
  clock.t += 50; // within the redraw interval: skipped
  progress.update(260, { loss: 5 });
  assert.equal(writes.length, 1);
  clock.t += 9_950;
  progress.update(500, { loss: 4.5 });
  assert.equal(writes.length, 2);
  assert.equal(
    writes[1],
    "\r\x1b[2Ktrain  [##########----------]  500/1000  50%  loss 4.5  tok/s 12.3k  elapsed 20s  eta 20s",
  );
  clock.t += 20_000;
  progress.update(1000);
  progress.finish("valid ppl 123.4");
  const last = writes[writes.length - 1];
  assert.equal(
    last,
    "\r\x1b[2Ktrain  [####################]  1000/1000  100%  loss 4.5  tok/s 12.3k  elapsed 40s  valid ppl 123.4\n",
  );
  progress.finish();
  progress.update(10);
  assert.equal(writes[writes.length - 1], last, "nothing after finish");
});

test("on a TTY the line is cut to the terminal width", () => {
  const { writes, stream, clock, now } = fakes(true, 30);
  const progress = createProgress({ total: 10, label: "eval", stream, now });
  clock.t += 1000;
  progress.update(5, { loss: 1 });
  assert.equal(writes[0], `\r\x1b[2K${"eval  [##########----------]  5/10  50%".slice(0, 29)}`);
});

test("not on a TTY: plain lines at most every intervalMs, plus the final one", () => {
  const { writes, stream, clock, now } = fakes(false);
  const progress = createProgress({ total: 100, label: "train", stream, now, intervalMs: 10_000 });
  for (let step = 1; step <= 100; step++) {
    clock.t += 1000; // one second a step: 100 s in all
    progress.update(step, { loss: 10 - step / 20 });
  }
  progress.finish();
  // Step 1 (t = 1 s), then every 10 s: steps 11, 21, …, 91, then the final line.
  assert.equal(writes.length, 11);
  assert.ok(writes.every((line) => line.endsWith("\n") && !line.includes("\r")));
  assert.equal(writes[0], "train  1/100  1%  loss 9.95  elapsed 1s  eta 1:39\n");
  assert.equal(writes[1], "train  11/100  11%  loss 9.45  elapsed 11s  eta 1:29\n");
  assert.equal(writes[10], "train  100/100  100%  loss 5  elapsed 1:40\n");
});

test("a zero total shows 100% without dividing by zero; no stream given is accepted", () => {
  const { writes, stream, now } = fakes(false);
  const progress = createProgress({ total: 0, label: "nothing", stream, now });
  progress.update(0);
  progress.finish("done");
  assert.deepEqual(writes, [
    "nothing  0/0  100%  elapsed 0s  eta ?\n",
    "nothing  0/0  100%  elapsed 0s  done\n",
  ]);
  assert.equal(typeof createProgress({ total: 1, label: "x" }).update, "function");
});
