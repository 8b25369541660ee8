/**
 * End-to-end tests of `localist local kde|ridge|gp|tsk|hopfield|denoise`: outputs, notes, and the
 * exact one-line errors with nothing on stdout.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { runCli, tempFiles } from "../helpers/cli.js";

const dir = tempFiles({
  "train.csv": [
    "x1,x2,y",
    "0,0,1",
    "1,0,2",
    "0,1,3",
    "1,1,4",
    "2,1,5",
    "1,2,6",
    "5,5,7",
    "5,6,8",
  ].join("\n"),
  "twins.csv": ["x1,y", "0,1", "0,2", "1,3"].join("\n"),
  "line.csv": ["x1,y", "0,1", "0.6,2", "1.2,3"].join("\n"),
  "query.csv": ["x2,x1", "0.5,0.5", "9,9"].join("\n"),
  "centres.csv": ["x1,x2", "0.5,0.5", "5,5.5"].join("\n"),
  "centres1.csv": ["x1", "0.5"].join("\n"),
});
const file = (name: string) => join(dir, name);
const lines = (stdout: string) => stdout.trim().split("\n");
const base = ["--train", file("train.csv"), "--target", "y", "--features", "x1,x2"];

test("kde: one log-density per query; no support is -Infinity, with a note", () => {
  const r = runCli([
    "local",
    "kde",
    ...base,
    "--query",
    file("query.csv"),
    "--kernel",
    "epanechnikov",
    "--bandwidth",
    "1",
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(lines(r.stdout).slice(0, 1), ["log_density"]);
  const [near, far] = lines(r.stdout).slice(1).map(Number);
  // (0.5, 0.5) lies at distance √0.5 from four points: (4 · ½)/(8 · Z₂), Z₂ = π/2.
  assert.ok(Math.abs(near - Math.log(2 / (8 * (Math.PI / 2)))) < 1e-12, String(near));
  assert.equal(far, -Infinity);
  assert.equal(
    r.stderr.trim(),
    "kde: 1 query row has no training point within the kernel's support: log-density -Infinity",
  );
});

test("ridge, gp, hopfield and denoise print one row per query with their columns", () => {
  const cases: [string[], string][] = [
    [["local", "ridge", ...base, "--bandwidth", "1", "--ridge", "0.1"], "y"],
    [
      ["local", "gp", ...base, "--bandwidth", "1", "--noise", "0.01", "--amplitude", "2"],
      "y,y_std",
    ],
    [["local", "hopfield", ...base, "--beta", "2", "--steps", "2"], "x1,x2"],
    [["local", "denoise", ...base, "--noise", "0.5", "--steps", "2"], "x1,x2"],
  ];
  for (const [args, header] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(lines(r.stdout)[0], header, args.join(" "));
    assert.equal(lines(r.stdout).length, 9, args.join(" "));
  }
});

test("tsk: predictions, and the rules on stderr (k-means or a centres file)", () => {
  const r = runCli([
    "local",
    "tsk",
    ...base,
    "--centres",
    file("centres.csv"),
    "--bandwidth",
    "0.8",
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(lines(r.stdout).length, 9);
  const notes = lines(r.stderr);
  assert.equal(notes[0], `tsk: 2 rules (centres from ${file("centres.csv")})`);
  assert.match(
    notes[1],
    /^ {2}rule 1: if x ≈ \(0\.5, 0\.5\) then y = [-\d.]+ [+−] [\d.]+·x1 [+−] [\d.]+·x2$/,
  );
  const k = runCli(["local", "tsk", ...base, "--rules", "2", "--seed", "3"]);
  assert.equal(k.status, 0, k.stderr);
  assert.equal(lines(k.stderr)[0], "tsk: 2 rules (centres by k-means, seed 3)");
});

/** Each bad input: exit code, the exact one-line message, and nothing on stdout. */
const failures: [string, string[], number, string][] = [
  [
    "denoise without --noise",
    ["local", "denoise", ...base],
    2,
    "error: 'localist local denoise' needs --noise SIGMA",
  ],
  [
    "cv for a method that cannot cross-validate",
    ["local", "kde", ...base, "--bandwidth", "cv"],
    2,
    "error: --bandwidth cv is not available for 'localist local kde'; give a number, one per feature, scott or silverman",
  ],
  [
    "negative ridge",
    ["local", "ridge", ...base, "--ridge", "-1"],
    2,
    "error: --ridge must be ≥ 0, got -1",
  ],
  ["β = 0", ["local", "hopfield", ...base, "--beta", "0"], 2, "error: --beta must be > 0, got 0"],
  [
    "no rules",
    ["local", "tsk", ...base, "--rules", "0"],
    2,
    "error: --rules must be a positive integer, got 0",
  ],
  [
    "zero steps",
    ["local", "denoise", ...base, "--noise", "0.1", "--steps", "0"],
    2,
    "error: --steps must be a positive integer, got 0",
  ],
  [
    "more rules than rows",
    ["local", "tsk", ...base, "--rules", "9"],
    1,
    "error: 9 rules need at least 9 training rows; the data has 8",
  ],
  [
    "centres without a feature column",
    ["local", "tsk", ...base, "--centres", "CENTRES1"],
    1,
    "error: CENTRES1 has no column 'x2' (columns: x1)",
  ],
  [
    "a singular kernel system",
    ["local", "ridge", "--train", "TWINS", "--target", "y", "--bandwidth", "1", "--ridge", "0"],
    1,
    "error: K + λI is singular for gaussian(h=1) with λ = 0; increase the ridge",
  ],
  [
    "a kernel that is not positive definite",
    [
      "local",
      "gp",
      "--train",
      "LINE",
      "--target",
      "y",
      "--kernel",
      "uniform",
      "--bandwidth",
      "1",
      "--noise",
      "0.1",
    ],
    1,
    "error: the covariance a·K + σ²I is not positive definite for uniform(h=1) with σ² = 0.1; increase the noise or use a positive-definite kernel (gaussian, laplacian)",
  ],
];

for (const [name, rawArgs, status, message] of failures) {
  test(`bad input: ${name}`, () => {
    const paths: Record<string, string> = {
      CENTRES1: file("centres1.csv"),
      TWINS: file("twins.csv"),
      LINE: file("line.csv"),
    };
    const args = rawArgs.map((a) => paths[a] ?? a);
    const r = runCli(args);
    const expected = Object.entries(paths).reduce(
      (text, [key, path]) => text.replaceAll(key, path),
      message,
    );
    assert.equal(r.status, status, r.stderr);
    assert.equal(r.stderr.trim(), expected);
    assert.equal(r.stdout, "");
  });
}
