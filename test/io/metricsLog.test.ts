import { test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { LocalistError } from "../../src/engine/errors.js";
import { MetricsLog, readMetricsLog } from "../../src/io/metricsLog.js";
import { tempFiles } from "../helpers/cli.js";

test("each record is on the file as soon as it is written", () => {
  const path = join(tempFiles({}), "metrics.jsonl");
  const log = MetricsLog.open(path, {});
  log.write({ step: 1, loss: 5.5 });
  assert.equal(readFileSync(path, "utf8"), '{"step":1,"loss":5.5}\n', "before close");
  log.write({ step: 2, loss: NaN, note: "nested", extra: { a: [1] } });
  log.close();
  log.close();
  assert.deepEqual(readMetricsLog(path), [
    { step: 1, loss: 5.5 },
    { step: 2, loss: null, note: "nested", extra: { a: [1] } },
  ]);
  assert.throws(() => log.write({ step: 3 }), /metrics log .* is closed/);
});

test("resuming keeps the lines up to the checkpoint's step, a new run does not, and a cut last line is dropped", () => {
  const path = join(tempFiles({}), "metrics.jsonl");
  const first = MetricsLog.open(path, {});
  for (const step of [1, 2, 3]) first.write({ step });
  first.close();
  appendFileSync(path, '{"step":4,"lo'); // a run killed mid-write after step 3, checkpoint at 1
  assert.deepEqual(readMetricsLog(path), [{ step: 1 }, { step: 2 }, { step: 3 }]);
  const resumed = MetricsLog.open(path, { resumeFrom: 1 });
  resumed.write({ step: 2 });
  resumed.close();
  assert.equal(readFileSync(path, "utf8"), '{"step":1}\n{"step":2}\n', "no step twice");
  const fresh = MetricsLog.open(path, {});
  fresh.write({ step: 0 });
  fresh.close();
  assert.deepEqual(readMetricsLog(path), [{ step: 0 }]);
  const another = MetricsLog.open(join(tempFiles({}), "new.jsonl"), { resumeFrom: 5 });
  another.close();
});

test("errors are one line", () => {
  const dir = tempFiles({ "bad.jsonl": '{"a":1}\nnope\n{"b":2}\n' });
  assert.throws(
    () => MetricsLog.open(join(dir, "missing", "m.jsonl"), {}),
    (error: unknown) =>
      error instanceof LocalistError &&
      /^cannot open metrics log .*m\.jsonl: no such file or folder \(ENOENT\)$/.test(
        error.message,
      ) &&
      !error.message.includes("\n"),
  );
  assert.throws(
    () => readMetricsLog(join(dir, "bad.jsonl")),
    /metrics log .*bad\.jsonl line 2 is not a JSON object/,
  );
});
