/**
 * A user's own text end to end, on a small committed text that is not Brown
 * (fixtures/corpus/harbour.txt): prepare it with byte-level BPE and blocks, train a localist model
 * on the prepared folder, then explain (blocks per occurrence), check a rule that names a lexicon
 * block, and generate without <unk>.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli, tempFiles } from "../helpers/cli.js";
import { tinyTrainArgs } from "../helpers/tinyModel.js";

const fixture = fileURLToPath(new URL("../../../fixtures/corpus/", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "localist-own-corpus-"));

/** Prepares the text with BPE and the given blocks, then trains a small localist model on it. */
function prepareAndTrain(name: string, blocks: string): string {
  const data = join(dir, `${name}-data`);
  const prepared = runCli([
    "prepare",
    "--corpus",
    join(fixture, "harbour.txt"),
    "--tokenizer",
    "bpe",
    "--vocab",
    "400",
    "--blocks",
    blocks,
    "--out",
    data,
    "--quiet",
  ]);
  assert.equal(prepared.status, 0, prepared.stderr);
  const model = join(dir, `${name}-model`);
  const args = tinyTrainArgs({ dModel: 16, context: 16, batch: 4, steps: 30, out: model });
  const trained = runCli(["train", "--data", data, "--localist", "--threads", "1", ...args]);
  assert.equal(trained.status, 0, trained.stderr);
  assert.match(trained.stderr, /training .* on .*-data: \d+ tokens, vocabulary 400/);
  return model;
}

let lexiconModel: string;
let taggerModel: string;
before(() => {
  lexiconModel = prepareAndTrain("lexicon", `lexicon:${join(fixture, "lexicon.json")}`);
  taggerModel = prepareAndTrain("tagger", "tagger");
});

test("explain labels each word by its own sentence: 'book' is a verb, then a noun", () => {
  const blockOfBook = (text: string) => {
    const r = runCli(["explain", "--model", taggerModel, "--text", text, "--layer", "0"]);
    assert.equal(r.status, 0, r.stderr);
    return /book\[([a-z-]+)\]/.exec(r.stdout.split("\n")[0])?.[1];
  };
  assert.equal(blockOfBook("we book a flight"), "verb");
  assert.equal(blockOfBook("a good book"), "noun");
});

test("check audits a rule that names a lexicon block", () => {
  const rules = tempFiles({
    "rules.json": JSON.stringify({
      rules: [
        {
          id: "to-sea",
          query: { all: true },
          key: { block: "sea" },
          alpha: 0.01,
          minFidelity: 0.5,
        },
      ],
    }),
  });
  const r = runCli([
    "check",
    "--model",
    lexiconModel,
    "--rules",
    join(rules, "rules.json"),
    "--split",
    "valid",
    "--json",
  ]);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  const report = JSON.parse(r.stdout) as { rules: { id: string; rows: number }[] };
  assert.equal(report.rules[0].id, "to-sea");
  assert.ok(
    report.rules[0].rows > 0,
    "the sea block matched no key: the lexicon's blocks are lost",
  );
});

test("generate on a BPE model writes text and never <unk>", () => {
  const r = runCli([
    "generate",
    "--model",
    lexiconModel,
    "--prompt",
    "The ferry",
    "--tokens",
    "40",
    "--seed",
    "3",
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.startsWith("The ferry"));
  assert.ok(r.stdout.length > "The ferry".length + 10, r.stdout);
  assert.ok(!r.stdout.includes("<unk>"), r.stdout);
});
