/**
 * Rules on the command line: `check` exits 0 when a strong rule reaches its minimum fidelity on
 * held-out text and 1 (naming the rule) when the same rule has strength 0; its Markdown report
 * reads on its own; `--rules` on eval, generate, sweep and explain; `profile-heads`; and every bad
 * rules file is one line naming the rule or field, with nothing written.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { recallLines } from "../../src/data/recall.js";
import { RECALL_TASK } from "../../experiments/steering.js";
import { runCli, tempFiles } from "../helpers/cli.js";
import { syntheticBlocks, syntheticCorpus } from "../helpers/corpus.js";
import { SMALL_MODEL, tinyTrainArgs } from "../helpers/tinyModel.js";

const fixture = fileURLToPath(new URL("../../../fixtures/recall-model", import.meta.url));
const recall = (alpha: number, extra: object = {}) =>
  JSON.stringify({
    rules: [
      {
        id: "recall",
        query: { regex: "^k\\d+$" },
        key: { relation: "after-earlier" },
        alpha,
        minFidelity: 0.9,
        ...extra,
      },
    ],
  });
const rule = (fields: object) =>
  JSON.stringify({
    rules: [
      { id: "r", query: { all: true }, key: { all: true }, strength: 1, minFidelity: 0, ...fields },
    ],
  });
const dir = tempFiles({
  "corpus.txt": syntheticCorpus(300),
  "blocks.json": JSON.stringify(syntheticBlocks),
  "strong.json": recall(1e-4),
  "zero.json": recall(1),
  "nouns.json": JSON.stringify({
    rules: [
      {
        id: "to-nouns",
        query: { block: "verb" },
        key: { block: "noun" },
        layers: [1],
        alpha: 0.01,
        minFidelity: 0.5,
      },
    ],
  }),
  "broken.json": '{"rules": [',
  "unknown-block.json": rule({ query: { block: "nouns" } }),
  "unknown-token.json": rule({ key: { token: "zebra" } }),
  "bad-regex.json": rule({ query: { regex: "k(" } }),
  "big-strength.json": rule({ strength: 5000 }),
  "bad-minimum.json": rule({ minFidelity: -0.5 }),
  "bad-layer.json": rule({ layers: [4] }),
  "bad-head.json": rule({ heads: [[1, 7]] }),
  "no-id.json": JSON.stringify({
    rules: [{ query: { all: true }, key: { all: true }, strength: 1, minFidelity: 0 }],
  }),
});
const file = (name: string) => join(dir, name);
const text = recallLines({ ...RECALL_TASK, lines: 1, seed: 4242 })[0].words.join(" ");

test("check: a strong rule passes on held-out text (exit 0); at strength 0 it fails (exit 1, rule named)", () => {
  const strong = runCli([
    "check",
    "--model",
    fixture,
    "--rules",
    file("strong.json"),
    "--text",
    text,
  ]);
  assert.equal(strong.status, 0, strong.stderr);
  assert.match(strong.stdout, /\| recall \| 4 \| 16 \|.*\| pass \|/);
  const zero = runCli(["check", "--model", fixture, "--rules", file("zero.json"), "--text", text]);
  assert.equal(zero.status, 1);
  assert.match(zero.stdout, /\| recall \|.*\| FAIL \|/);
  assert.equal(zero.stderr.trim().split("\n").at(-1), "error: 1 of 1 rules failed: recall");
});

test("check --markdown: a report that reads on its own", () => {
  const r = runCli([
    "check",
    "--model",
    fixture,
    "--rules",
    file("strong.json"),
    "--text",
    text,
    "--markdown",
  ]);
  assert.equal(r.status, 0, r.stderr);
  for (const part of [
    /^# Rule compliance report\n\n\*\*Result: every rule passed\.\*\*/,
    /\| rules file \| .*strong\.json \(SHA-256 `[0-9a-f]{64}`\) \|/,
    /## What the numbers mean/,
    /\| recall \| pass \| 16 \|/,
    /### recall: pass/,
    /Lowest-fidelity rows:/,
  ])
    assert.match(r.stdout, part);
  const json = runCli([
    "check",
    "--model",
    fixture,
    "--rules",
    file("strong.json"),
    "--text",
    text,
    "--json",
  ]);
  const report = JSON.parse(json.stdout) as {
    passed: boolean;
    rules: { id: string; rows: number }[];
  };
  assert.equal(report.passed, true);
  assert.equal(report.rules[0].rows, 16); // 4 queries × 2 layers × 2 heads
});

test("bad rules files: one line naming the rule or field, exit 1", () => {
  const cases: [string, RegExp][] = [
    ["broken.json", /^error: rules file .*broken\.json is not valid JSON: /],
    [
      "unknown-block.json",
      /rule 'r', query selector: selects by block, but the model has no blocks/,
    ],
    [
      "unknown-token.json",
      /rule 'r', key selector: token 'zebra' is not in the model's vocabulary of 28 tokens$/,
    ],
    [
      "bad-regex.json",
      /rule 'r', query selector: invalid regular expression \/k\(\/: missing closing \)$/,
    ],
    ["big-strength.json", /rule 'r' \(rules\[0\]\): strength must be ≤ 1000, got 5000$/],
    ["bad-minimum.json", /rule 'r' \(rules\[0\]\): minFidelity must be ≥ 0, got -0.5$/],
    [
      "bad-layer.json",
      /rule 'r' \(rules\[0\]\): layer 4 does not exist; the model has 2 layers \(0–1\)$/,
    ],
    [
      "bad-head.json",
      /rule 'r' \(rules\[0\]\): head 7 does not exist; the model has 2 heads per layer \(0–1\)$/,
    ],
    ["no-id.json", /\(rules\[0\]\): id must be a string, got nothing$/],
  ];
  for (const [name, expected] of cases) {
    const r = runCli(["check", "--model", fixture, "--rules", file(name), "--text", text]);
    assert.equal(r.status, 1, name);
    assert.equal(r.stdout, "", name);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, `${name}: ${r.stderr}`);
    assert.match(lines[0], expected, name);
  }
  const g = runCli([
    "generate",
    "--model",
    fixture,
    "--prompt",
    "k1 v2",
    "--rules",
    file("bad-layer.json"),
  ]);
  assert.equal(g.status, 1);
  assert.equal(g.stdout, "");
});

test("--rules on eval, generate, sweep and explain; profile-heads writes a rules file", () => {
  const model = join(dir, "model");
  const trained = runCli([
    "train",
    ...tinyTrainArgs({
      ...SMALL_MODEL,
      corpus: file("corpus.txt"),
      layers: 2,
      batch: 8,
      steps: 20,
      out: model,
    }),
    "--localist",
    "--blocks",
    file("blocks.json"),
  ]);
  assert.equal(trained.status, 0, trained.stderr);
  const evaluate = (rules: string[]) =>
    JSON.parse(
      runCli(["eval", "--model", model, "--split", "valid", "--json", ...rules]).stdout,
    ) as {
      perplexity: number;
    };
  const plain = evaluate([]);
  const ruled = evaluate(["--rules", file("nouns.json")]);
  assert.notEqual(ruled.perplexity, plain.perplexity);

  const g = runCli([
    "generate",
    "--model",
    model,
    "--prompt",
    "the cat",
    "--tokens",
    "3",
    "--rules",
    file("nouns.json"),
  ]);
  assert.equal(g.status, 0, g.stderr);
  const sweep = runCli([
    "sweep",
    "--model",
    model,
    "--dials",
    "0,1",
    "--windows",
    "4",
    "--inspect-windows",
    "2",
    "--json",
    "--rules",
    file("nouns.json"),
  ]);
  assert.equal(sweep.status, 0, sweep.stderr);
  for (const row of (JSON.parse(sweep.stdout) as { rows: { violations: number }[] }).rows)
    assert.equal(row.violations, 0);
  const explain = runCli([
    "explain",
    "--model",
    model,
    "--text",
    "the cat sees the ball",
    "--rules",
    file("nouns.json"),
    "--layer",
    "1",
  ]);
  assert.equal(explain.status, 0, explain.stderr);
  assert.match(explain.stdout, /^rules in place: to-nouns \(strength 4\.61\)$/m);
  const unknown = runCli([
    "check",
    "--model",
    model,
    "--rules",
    file("unknown-block.json"),
    "--windows",
    "2",
  ]);
  assert.match(
    unknown.stderr,
    /query selector: unknown block 'nouns'; the blocks are function, noun, verb, other\n$/,
  );

  const out = join(dir, "profiled.json");
  const failed = runCli([
    "profile-heads",
    "--model",
    model,
    "--rules",
    file("nouns.json"),
    "--rule",
    "nope",
    "--out",
    out,
  ]);
  assert.equal(failed.status, 2);
  assert.ok(!existsSync(out), "nothing written on an error");
  const profile = runCli([
    "profile-heads",
    "--model",
    model,
    "--rules",
    file("nouns.json"),
    "--top",
    "2",
    "--windows",
    "2",
    "--eval-windows",
    "4",
    "--out",
    out,
  ]);
  assert.equal(profile.status, 0, profile.stderr);
  assert.match(profile.stdout, /^\| 4 \| \d \| \d \|/m);
  const written = JSON.parse(readFileSync(out, "utf8")) as {
    rules: { heads: number[][]; layers?: number[] }[];
  };
  assert.equal(written.rules[0].heads.length, 2);
  assert.equal(written.rules[0].layers, undefined);
  const again = runCli(["check", "--model", model, "--rules", out, "--windows", "2", "--json"]);
  assert.ok(again.status === 0 || again.status === 1, again.stderr);
});

test("check: hostile rule ids are escaped on the terminal, in the error line and in Markdown", () => {
  const id = "a|b<script>&`\x1b[2J\nx";
  const rules = tempFiles({
    "hostile.json": JSON.stringify({
      rules: Array.from({ length: 30 }, (_, i) => ({
        id: i === 0 ? id : `rule-${i}`,
        query: { regex: "^k\\d+$" },
        key: { relation: "after-earlier" },
        alpha: 1,
        minFidelity: 0.9,
      })),
    }),
  });
  const hostile = join(rules, "hostile.json");
  const terminal = runCli(["check", "--model", fixture, "--rules", hostile, "--text", text]);
  assert.equal(terminal.status, 1);
  assert.ok(!terminal.stdout.includes("\x1b") && !terminal.stderr.includes("\x1b"));
  assert.match(terminal.stdout, /\| a\\\|b<script>&`\\x1b\[2J\\nx \|/);
  // One line, the first ten ids, the rest counted.
  assert.equal(
    terminal.stderr,
    "error: 30 of 30 rules failed: a|b<script>&`\\x1b[2J\\nx, rule-1, rule-2, rule-3, rule-4, rule-5, rule-6, rule-7, rule-8, rule-9 and 20 more\n",
  );
  const markdown = runCli([
    ...["check", "--model", fixture, "--rules", hostile, "--text", text, "--markdown"],
  ]);
  assert.equal(markdown.status, 1);
  assert.ok(!markdown.stdout.includes("\x1b") && !markdown.stdout.includes("<script>"));
  assert.match(markdown.stdout, /^\| a\\\|b&lt;script&gt;&amp;\\`\\x1b\[2J\\nx \| FAIL \|/m);
  assert.match(markdown.stdout, /^### a\\\|b&lt;script&gt;&amp;\\`\\x1b\[2J\\nx: FAIL$/m);
});
