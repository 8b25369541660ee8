/**
 * One number grammar and the right exit codes: hex is refused by every numeric flag and list
 * (it was accepted by --bandwidth and the dial), usage errors exit 2 naming the flag, a result
 * that would be NaN exits 1 with the reason, and long step loops show progress.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { LocalistError } from "../../src/engine/errors.js";
import { fromHost, initEngine, np } from "../../src/engine/engine.js";
import { parseDecimal } from "../../src/engine/numbers.js";
import { parseDial, parseDialList } from "../../src/localist/dial.js";
import { hopfieldRetrieve } from "../../src/classical/hopfield.js";
import { denoise } from "../../src/classical/denoise.js";
import { runCli, tempFiles } from "../helpers/cli.js";

const rows = Array.from({ length: 30 }, (_, i) => `${(i % 7) / 7},${(i % 5) / 5},${i % 3}`);
const dir = tempFiles({
  "t.csv": `x1,x2,y\n${rows.join("\n")}\n`,
  "c.txt": "the cat sees the dog .\n".repeat(40),
});
const csv = join(dir, "t.csv");

test("the number grammar: decimal only", () => {
  for (const ok of ["1", "-1", "+0.5", ".5", "1.", "1e3", "1E-3"])
    assert.equal(parseDecimal(ok), Number(ok));
  for (const bad of ["0x1", "0b1", "0o7", "1_000", "", " ", " 1", "Infinity", "NaN", "1e", "--1"])
    assert.ok(Number.isNaN(parseDecimal(bad)), bad);
  assert.throws(() => parseDial("0x1"), LocalistError);
  assert.throws(() => parseDialList("0,0x1"), LocalistError);
  assert.deepEqual(parseDialList("0,0.5,1"), [0, 0.5, 1]);
});

test("hex is refused by every numeric flag and list, with exit 2 naming the flag", () => {
  const cases: [string[], RegExp][] = [
    [["local", "mean", "--train", csv, "--target", "y", "--bandwidth", "0x1"], /--bandwidth/],
    [["local", "mean", "--train", csv, "--target", "y", "--bandwidth", "0.5,0x1"], /--bandwidth/],
    [["local", "meanshift", "--train", csv, "--target", "y", "--bandwidth", "0x1"], /--bandwidth/],
    [["local", "knn-regress", "--train", csv, "--target", "y", "--k", "0x2"], /--k/],
    [
      [
        "train",
        "--out",
        join(dir, "r1"),
        "--corpus",
        join(dir, "c.txt"),
        "--localist",
        "--dial",
        "0x1",
      ],
      /--dial/,
    ],
    [
      [
        "train",
        "--out",
        join(dir, "r2"),
        "--corpus",
        join(dir, "c.txt"),
        "--localist",
        "--dial-range",
        "0x0,1",
      ],
      /--dial-range/,
    ],
  ];
  for (const [args, flag] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, flag);
    assert.equal(r.stderr.split("\n").length, 2);
  }
});

test("usage errors exit 2 and name the flag, not an internal field", () => {
  const vocab = runCli([
    "train",
    "--out",
    join(dir, "v"),
    "--corpus",
    join(dir, "c.txt"),
    "--vocab",
    "1",
  ]);
  assert.equal(vocab.status, 2, vocab.stderr);
  assert.equal(vocab.stderr, "error: --vocab must be ≥ 2 (room for <unk> and <eos>), got 1\n");
  const reg = runCli(["local", "lle", "--train", csv, "--target", "y", "--reg", "0"]);
  assert.equal(reg.status, 2, reg.stderr);
  assert.equal(reg.stderr, "error: --reg must be > 0, got 0\n");
  const window = runCli([
    "train",
    "--out",
    join(dir, "w"),
    "--corpus",
    join(dir, "c.txt"),
    "--attention",
    "local:0",
  ]);
  assert.equal(window.status, 2, window.stderr);
  assert.equal(window.stderr, "error: --attention local:K needs a window K ≥ 1, got 0\n");
});

test("a result that would be NaN exits 1 with the reason and prints nothing", () => {
  const noisy = runCli(["local", "denoise", "--train", csv, "--target", "y", "--noise", "1e308"]);
  assert.equal(noisy.status, 1);
  assert.equal(noisy.stdout, "");
  assert.match(
    noisy.stderr,
    /^error: noise σ = 1e\+308 with bandwidth h = 1e\+308: σ² or h² is not a finite positive number/,
  );
  const tiny = runCli(["local", "mean", "--train", csv, "--target", "y", "--bandwidth", "1e-300"]);
  assert.equal(tiny.status, 1);
  assert.equal(tiny.stdout, "");
  // A gaussian already has unbounded support: the weights underflowed, so say that.
  assert.match(
    tiny.stderr,
    /under gaussian\(h=1e-300\); its weights underflowed to 0 at this bandwidth: increase the bandwidth\n$/,
  );
});

test("hopfield and denoise report progress over every step's rows", async () => {
  await initEngine();
  const x = () =>
    fromHost(
      Float64Array.from({ length: 20 }, (_, i) => Math.cos(i)),
      [10, 2],
      np.float32,
    );
  for (const run of [
    (onProgress: (done: number, total: number) => void) =>
      hopfieldRetrieve(x(), x(), { beta: 1, steps: 4, onProgress, chunkElements: 40 }),
    (onProgress: (done: number, total: number) => void) =>
      denoise(x(), x(), { bandwidth: 0.5, steps: 4, onProgress, chunkElements: 40 }),
  ]) {
    const seen: [number, number][] = [];
    run((done, total) => seen.push([done, total])).dispose();
    assert.ok(seen.length >= 8, `${seen.length} reports`);
    assert.deepEqual(seen.at(-1), [40, 40]);
    assert.ok(seen.every(([done], i) => i === 0 || done > seen[i - 1][0]));
  }
});
