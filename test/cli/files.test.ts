/**
 * Hand-edited and corrupt checkpoint files are refused with one line naming the file and the field:
 * a tensor's dtype changed in its header, weights full of NaN, block ids out of range, wrong JSON
 * types and values in config.json and state.json; and a block named like an Object method works.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the tests edit untyped JSON by hand */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { currentCheckpoint, runCli, tempFiles } from "../helpers/cli.js";
import { syntheticCorpus } from "../helpers/corpus.js";
import { tinyTrainArgs } from "../helpers/tinyModel.js";

const blocks: Record<string, string> = {};
const dir = tempFiles({ "corpus.txt": syntheticCorpus(200) });
for (const word of readFileSync(join(dir, "corpus.txt"), "utf8").split(/\s+/))
  if (word) blocks[word.toLowerCase()] = /^(the|a|my)$/.test(word) ? "constructor" : "toString";
writeFileSync(join(dir, "blocks.json"), JSON.stringify(blocks));
writeFileSync(
  join(dir, "routing.json"),
  JSON.stringify({
    heads: [{ constructor: ["toString"], "*": ["constructor"] }, { "*": ["toString"] }],
  }),
);
const model = join(dir, "model");
const trained = runCli([
  "train",
  ...tinyTrainArgs({ corpus: join(dir, "corpus.txt"), steps: 3, out: model }),
  "--localist",
  "--blocks",
  join(dir, "blocks.json"),
  "--routing",
  join(dir, "routing.json"),
]);

/** A copy of the trained model with `edit` applied to its current checkpoint folder. */
function edited(name: string, edit: (folder: string) => void): string {
  const copy = join(dir, name);
  cpSync(model, copy, { recursive: true });
  edit(currentCheckpoint(copy));
  return copy;
}

function editJson(file: string, change: (value: Record<string, any>) => void): void {
  const value = JSON.parse(readFileSync(file, "utf8")) as Record<string, any>;
  change(value);
  writeFileSync(file, JSON.stringify(value));
}

function refused(args: string[], pattern: RegExp): void {
  const r = runCli(args);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, "");
  const lines = r.stderr.trim().split("\n");
  assert.equal(lines.length, 1, r.stderr);
  assert.match(lines[0], pattern);
}

test("blocks named 'constructor' and 'toString' work in block maps and routing", () => {
  assert.equal(trained.status, 0, trained.stderr);
  const r = runCli([
    "explain",
    "--model",
    model,
    "--text",
    "the cat",
    "--layer",
    "0",
    "--head",
    "0",
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /targets: toString, constructor|targets: constructor, toString/);
});

test("a tensor whose header dtype was changed is refused", () => {
  const copy = edited("dtype", (folder) => {
    const file = join(folder, "model.safetensors");
    const bytes = readFileSync(file);
    const text = bytes.toString("latin1").replace('"dtype":"F32"', '"dtype":"I32"');
    writeFileSync(file, Buffer.from(text, "latin1"));
  });
  refused(
    ["eval", "--model", copy],
    /^error: checkpoint .*: tensor '\S+' is I32 but the model stores F32; the file is corrupt, retrain or restore it$/,
  );
});

test("weights full of NaN are refused", () => {
  const copy = edited("nan", (folder) => {
    const file = join(folder, "model.safetensors");
    const bytes = readFileSync(file);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const data = 8 + headerLength;
    for (let at = data; at + 4 <= bytes.length; at += 4) bytes.writeFloatLE(NaN, at);
    writeFileSync(file, bytes);
  });
  refused(
    ["eval", "--model", copy],
    /^error: checkpoint .*: tensor '\S+' holds NaN or infinite values; the file is corrupt or its run diverged, retrain or restore it$/,
  );
});

test("config.json fields of the wrong type or range name the field", () => {
  const cases: [string, (config: Record<string, any>) => void, RegExp][] = [
    [
      "heads-string",
      (c) => (c.model.heads = "2"),
      /config\.json: model\.heads must be a number, got "2"$/,
    ],
    ["model-null", (c) => (c.model = null), /config\.json: model must be an object, got null$/],
    ["negative-step", (c) => (c.step = -3), /config\.json: step must be ≥ 0, got -3$/],
    [
      "bad-kind",
      (c) => (c.model.attention = { kind: "sparse" }),
      /config\.json: model\.attention\.kind must be one of "global", "local", "hybrid", got "sparse"/,
    ],
    [
      "block-id",
      (c) => (c.localist.blocks.tokenBlocks[3] = -1),
      /config\.json: localist\.blocks\.tokenBlocks\.3 must be ≥ 0, got -1$/,
    ],
    [
      "block-range",
      (c) => (c.localist.blocks.tokenBlocks[3] = 9),
      /config\.json: localist: every token's block must be an integer in \[0, 2\]$/,
    ],
    [
      "margin",
      (c) => (c.localist.margin = 0),
      /config\.json: localist\.margin must be > 0, got 0$/,
    ],
    [
      "seed",
      (c) => (c.training.seed = 2 ** 40),
      /config\.json: training\.seed must be ≤ 4294967295, got 1099511627776$/,
    ],
    [
      "lr",
      (c) => (c.training.learningRate = "fast"),
      /config\.json: training\.learningRate must be a number, got "fast"$/,
    ],
  ];
  for (const [name, change, pattern] of cases) {
    const copy = edited(name, (folder) => editJson(join(folder, "config.json"), change));
    refused(["eval", "--model", copy], new RegExp(`^error: .*${pattern.source}`));
  }
});

test("a state.json that disagrees with config.json is refused on --resume", () => {
  const copy = edited("state", (folder) =>
    editJson(join(folder, "state.json"), (state) => (state.step = 1)),
  );
  refused(
    ["train", "--resume", "--out", copy],
    /^error: .*state\.json says step 1 and optimizer step 3, but config\.json says step 3; the files belong to different saves, retrain or restore it$/,
  );
  const typed = edited("state-typed", (folder) =>
    editJson(join(folder, "state.json"), (state) => (state.optimizerStep = null)),
  );
  refused(
    ["train", "--resume", "--out", typed],
    /^error: .*state\.json: optimizerStep must be a number, got null$/,
  );
});
