/** `localist train --localist`, `sweep` and `explain` end to end, and their one-line errors. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempFiles } from "../helpers/cli.js";
import { syntheticCorpus } from "../helpers/corpus.js";
import { SMALL_MODEL, tinyTrainArgs } from "../helpers/tinyModel.js";

const blockMap: Record<string, string> = {
  the: "function",
  a: "function",
  my: "function",
  in: "function",
  with: "function",
  at: "function",
  cat: "noun",
  dog: "noun",
  bird: "noun",
  friend: "noun",
  teacher: "noun",
  child: "noun",
  ball: "noun",
  tree: "noun",
  house: "noun",
  river: "noun",
  book: "noun",
  garden: "noun",
  park: "noun",
  joy: "noun",
  night: "noun",
  sees: "verb",
  likes: "verb",
  follows: "verb",
  finds: "verb",
  helps: "verb",
  watches: "verb",
  today: "adverb",
  again: "adverb",
  slowly: "adverb",
  ".": "punctuation",
};
const partial = Object.fromEntries(
  Object.entries(blockMap).filter(([w]) => w !== "cat" && w !== "dog"),
);
const dir = tempFiles({
  "corpus.txt": syntheticCorpus(600),
  "blocks.json": JSON.stringify(blockMap),
  "partial.json": JSON.stringify(partial),
  "routing.json": JSON.stringify({ heads: [{ "*": ["noun"] }, { verb: ["noun"], "*": ["verb"] }] }),
  "bad-routing.json": JSON.stringify({ heads: [{ "*": ["nouns"] }, { "*": ["verb"] }] }),
});
const file = (name: string) => join(dir, name);
const model = join(dir, "model");
const plain = join(dir, "plain");
const base = tinyTrainArgs({
  ...SMALL_MODEL,
  corpus: file("corpus.txt"),
  layers: 2,
  batch: 8,
  warmup: 5,
  lr: 0.01,
});

test("train a localist model with a block map and routing file; sweep and explain it", () => {
  const r = runCli([
    "train",
    ...base,
    "--steps",
    "60",
    "--out",
    model,
    "--localist",
    "--blocks",
    file("blocks.json"),
    "--routing",
    file("routing.json"),
    "--penalty",
    "0.1",
  ]);
  assert.equal(r.status, 0, r.stderr);
  const log = readFileSync(join(model, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, number>);
  assert.ok("penalty" in log[0] && "crossEntropy" in log[0], "the penalty is logged separately");

  const plot = join(dir, "sweep.svg");
  const sweep = runCli([
    "sweep",
    "--model",
    model,
    "--dials",
    "0,0.5,1",
    "--windows",
    "10",
    "--inspect-windows",
    "4",
    "--json",
    "--plot",
    plot,
  ]);
  assert.equal(sweep.status, 0, sweep.stderr);
  const rows = (
    JSON.parse(sweep.stdout) as {
      rows: {
        dial: number;
        entropy: number;
        fidelity: number;
        certifiedFidelity: number;
        violations: number;
      }[];
    }
  ).rows;
  assert.deepEqual(
    rows.map((row) => row.dial),
    [0, 0.5, 1],
  );
  assert.ok(rows[2].entropy < rows[0].entropy && rows[2].fidelity > rows[0].fidelity);
  for (const row of rows)
    assert.ok(row.certifiedFidelity <= row.fidelity + 1e-6 && row.violations === 0);
  assert.match(readFileSync(plot, "utf8"), /^<svg[\s\S]*pointer fidelity[\s\S]*<\/svg>\n$/);

  const explain = runCli([
    "explain",
    "--model",
    model,
    "--text",
    "the cat sees the ball",
    "--dial",
    "1",
    "--layer",
    "1",
  ]);
  assert.equal(explain.status, 0, explain.stderr);
  assert.match(
    explain.stdout,
    /^text: the\[function\] cat\[noun\] sees\[verb\] the\[function\] ball\[noun\]/,
  );
  assert.match(explain.stdout, /layer 1, head 0 \(global, targets: noun\), λ = 1\.00: entropy/);
  assert.match(explain.stdout, /scale: /);

  const evaluated = runCli([
    "eval",
    "--model",
    model,
    "--split",
    "valid",
    "--dial",
    "0.5",
    "--json",
  ]);
  assert.equal(evaluated.status, 0, evaluated.stderr);
  const generated = runCli([
    "generate",
    "--model",
    model,
    "--prompt",
    "the dog",
    "--dial",
    "1",
    "--tokens",
    "4",
  ]);
  assert.equal(generated.status, 0, generated.stderr);
});

test("a plain model for the dial errors", () => {
  assert.equal(runCli(["train", ...base, "--steps", "2", "--out", plain]).status, 0);
});

const failures: [string, string[], number, RegExp][] = [
  [
    "dial above 1",
    ["eval", "--model", "MODEL", "--dial", "1.5"],
    2,
    /^error: --dial: the dial λ must be in \[0, 1\], got '1\.5'$/,
  ],
  [
    "dial list outside [0, 1]",
    ["sweep", "--model", "MODEL", "--dials", "0,2"],
    2,
    /^error: --dials: the dial λ must be in \[0, 1\], got '2'$/,
  ],
  [
    "routing names an unknown block",
    [
      "train",
      ...base,
      "--steps",
      "2",
      "--out",
      "OUT",
      "--localist",
      "--blocks",
      "BLOCKS",
      "--routing",
      "BADROUTING",
    ],
    1,
    /^error: routing file .*bad-routing\.json: head 0 names unknown block 'nouns'; the blocks are function, .*noun.*$/,
  ],
  [
    "block map leaves tokens unassigned",
    ["train", ...base, "--steps", "2", "--out", "OUT", "--localist", "--blocks", "PARTIAL"],
    1,
    /^error: block map .*partial\.json leaves 2 of \d+ vocabulary tokens unassigned \('(cat|dog)', '(cat|dog)'\); map every token to a block$/,
  ],
  [
    "--dial on a model without blocks",
    ["eval", "--model", "PLAIN", "--dial", "0.5"],
    1,
    /^error: .*plain was trained without blocks, so it has no dial; train a model with --localist$/,
  ],
  [
    "sweep on a model without blocks",
    ["sweep", "--model", "PLAIN"],
    1,
    /^error: .*plain was trained without blocks, so it has no dial; train a model with --localist$/,
  ],
  [
    "localist flags without --localist",
    ["train", ...base, "--steps", "2", "--out", "OUT", "--penalty", "0.5"],
    2,
    /^error: --penalty needs --localist$/,
  ],
  [
    "bad dial range",
    [
      "train",
      ...base,
      "--steps",
      "2",
      "--out",
      "OUT",
      "--localist",
      "--blocks",
      "BLOCKS",
      "--dial-range",
      "0.8,0.2",
    ],
    2,
    /^error: --dial-range must be a,b with 0 ≤ a ≤ b ≤ 1, got '0\.8,0\.2'$/,
  ],
];

for (const [name, rawArgs, status, message] of failures) {
  test(`bad input: ${name}`, () => {
    const paths: Record<string, string> = {
      MODEL: model,
      PLAIN: plain,
      OUT: join(dir, `out-${name.replace(/\W/g, "")}`),
      BLOCKS: file("blocks.json"),
      PARTIAL: file("partial.json"),
      BADROUTING: file("bad-routing.json"),
    };
    const r = runCli(rawArgs.map((a) => paths[a] ?? a));
    assert.equal(r.status, status, r.stderr);
    assert.match(r.stderr.trim().split("\n").at(-1) ?? "", message);
    assert.equal(r.stdout, "");
    assert.ok(!existsSync(paths.OUT) || !existsSync(join(paths.OUT, "config.json")));
  });
}
