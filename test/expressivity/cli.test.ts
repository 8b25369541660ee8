/**
 * `localist expressivity` end to end (a short run that must solve Σ*a with 1-local attention),
 * its one-line errors, and the table formats and helpers that need no training.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { runCli } from "../helpers/cli.js";
import {
  formatMarkdown,
  formatTable,
  lengthGrid,
  parseModelKind,
  type BenchmarkResult,
} from "../../experiments/expressivity/benchmark.js";
import { DEFAULT_RECOGNIZER, encodeStrings, groupByLength } from "../../src/train/recognizer.js";

test("a short run learns Σ*a with 1-local attention and generalizes to lengths 41–500", () => {
  const began = performance.now();
  const r = runCli(
    [
      "expressivity",
      "--languages",
      "Σ*a",
      "--models",
      "local:1",
      "--seeds",
      "1",
      "--steps",
      "small",
    ],
    { timeoutMs: 90_000 },
  );
  const seconds = (performance.now() - began) / 1000;
  assert.equal(r.status, 0, r.stderr);
  const row = r.stdout.split("\n").find((line) => line.startsWith("Σ*a"));
  assert.ok(row, r.stdout);
  const value = Number(row.trim().split(/\s+/)[1]);
  assert.ok(value >= 95, `accuracy ${value}%`);
  assert.match(r.stdout, /^language\s+local:1$/m);
  assert.match(r.stdout, /60 steps × 32/);
  assert.match(r.stderr, /\[1\/1\] Σ\*a local:1 seed 1 .*test \d+\.\d%/);
  console.log(`# end-to-end run: ${seconds.toFixed(1)} s, accuracy ${value}%`);
});

const ERRORS: [string[], number, string][] = [
  [
    ["--models", "local:1,window:3"],
    2,
    "unknown model kind 'window:3'; expected local:K, hybrid:K or global (K a positive integer)",
  ],
  [["--models", "local:0"], 2, "unknown model kind 'local:0'"],
  [["--languages", "Σ*a,[ab*"], 2, "invalid regular expression '[ab*': unclosed '[' at position 0"],
  [
    ["--languages", "[ab]*"],
    1,
    "language '[ab]*' has no negative strings of length 41–500; choose another language or length range",
  ],
  [
    ["--languages", "a|b"],
    1,
    "language 'a|b' has no positive strings of length 41–500; choose another language or length range",
  ],
  [
    ["--languages", "Σ*ab", "--train-lengths", "1-1"],
    1,
    "language 'Σ*ab' has no positive strings of length 1; choose another language or length range",
  ],
  [["--models", "global,local:1,global"], 1, "model kind 'global' is listed twice"],
  [["--steps", "many"], 2, "--steps must be a positive integer or small, got 'many'"],
  [["--seeds", "0"], 2, "--seeds must be a positive integer, got 0"],
  [["--pos", "alibi"], 2, "--pos must be one of none, learned, sinusoidal, rotary, got 'alibi'"],
  [["--json", "--markdown"], 2, "choose one of --json and --markdown"],
  [["--test-lengths", "500-41"], 2, "--test-lengths must be MIN-MAX with 1 ≤ MIN ≤ MAX"],
  [
    ["--heads", "1", "--models", "hybrid:1"],
    2,
    "hybrid attention needs at least 2 heads (some local, some global), got 1",
  ],
];

for (const [args, status, message] of ERRORS) {
  test(`expressivity ${args.join(" ")}: exit ${status}, one line`, () => {
    const r = runCli(["expressivity", ...args]);
    assert.equal(r.status, status, r.stderr);
    assert.equal(r.stdout, "");
    assert.ok(r.stderr.startsWith(`error: ${message}`), r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  });
}

test("--help lists the flags and the defaults", () => {
  const r = runCli(["expressivity", "--help"]);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /--models KIND/);
  assert.match(r.stdout, /default Σ\*a,Σ\*ab,aΣ\*,Σ\*aΣ\*bΣ\*,\(ab\)\*,Σ\*abΣ\*/);
  assert.match(r.stdout, /local:1,local:2,local:4,hybrid:1,hybrid:2,hybrid:4,global/);
});

test("model kinds, the test grid and the input encoding", () => {
  assert.deepEqual(parseModelKind("hybrid:4"), { kind: "hybrid", window: 4 });
  assert.deepEqual(parseModelKind("global"), { kind: "global" });
  assert.throws(() => parseModelKind("local"), /unknown model kind 'local'/);
  assert.deepEqual(
    lengthGrid({ min: 41, max: 500 }, 10),
    [41, 92, 143, 194, 245, 296, 347, 398, 449, 500],
  );
  assert.deepEqual(lengthGrid({ min: 3, max: 3 }, 10), [3]);
  assert.deepEqual([...encodeStrings(["ab", "ba"])], [0, 1, 2, 1, 0, 2]);
  assert.deepEqual([...encodeStrings(["ab"], false)], [0, 1]);
  const groups = groupByLength([
    { text: "aaa", label: 1 },
    { text: "b", label: 0 },
    { text: "abb", label: 0 },
  ]);
  assert.deepEqual([...groups.keys()], [1, 3]);
  assert.equal(groups.get(3)?.length, 2);
});

test("tables: plain, Markdown, mean ± spread over seeds", () => {
  const result: BenchmarkResult = {
    options: {
      languages: ["Σ*a", "aΣ*"],
      models: ["local:1", "global"],
      seeds: 2,
      settings: DEFAULT_RECOGNIZER,
      train: { min: 1, max: 40 },
      test: { min: 41, max: 500 },
      testStrings: 320,
      testLengths: 10,
    },
    testGrid: [41, 500],
    cells: [],
    summary: [
      { language: "Σ*a", model: "local:1", mean: 100, spread: 0, seeds: 2 },
      { language: "Σ*a", model: "global", mean: 55.25, spread: 3.5, seeds: 2 },
      { language: "aΣ*", model: "local:1", mean: 50, spread: 1, seeds: 2 },
      { language: "aΣ*", model: "global", mean: 99.5, spread: 0.7, seeds: 2 },
    ],
    seconds: 1,
  };
  const markdown = formatMarkdown(result).split("\n");
  assert.equal(markdown[0], "| language | local:1 | global |");
  assert.equal(markdown[1], "|---|---|---|");
  assert.equal(markdown[2], "| Σ*a | 100.0 ± 0.0 | 55.3 ± 3.5 |");
  assert.equal(markdown[3], "| aΣ* | 50.0 ± 1.0 | 99.5 ± 0.7 |");
  assert.match(markdown[5], /mean ± sample std over 2 seeds/);
  const plain = formatTable(result).split("\n");
  assert.equal(plain[0], "language      local:1      global");
  assert.equal(plain[1], "Σ*a       100.0 ± 0.0  55.3 ± 3.5");
});
