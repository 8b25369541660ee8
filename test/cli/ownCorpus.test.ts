/**
 * A user's own text end to end, on a small committed text that is not Brown
 * (fixtures/corpus/harbour.txt): prepare it with byte-level BPE and blocks, train a localist model
 * on the prepared folder, then explain (blocks per occurrence), check a rule that names a lexicon
 * block (on a split, and on typed text whose phrases take their lexicon block at every
 * occurrence), and generate without <unk>, the text labelled again as it grows.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalistModel } from "../../src/lm/node.js";
import { tagText } from "../../src/data/tagger.js";
import { EOS_ID } from "../../src/data/tokenizer.js";
import { runCli, tempFiles } from "../helpers/cli.js";
import { OWN_CORPUS, ownCorpusModel } from "../helpers/ownCorpus.js";
import { tinyTrainArgs } from "../helpers/tinyModel.js";

const fixture = OWN_CORPUS;
const dir = mkdtempSync(join(tmpdir(), "localist-own-corpus-"));

/** The text prepared with BPE and `blocks`, and a small localist model trained on it. */
function prepareAndTrain(name: string, blocks: string): string {
  const { model, trainStderr } = ownCorpusModel(dir, name, blocks, { context: 16, steps: 30 });
  assert.match(trainStderr, /training .* on .*-data: \d+ tokens, vocabulary 400/);
  return model;
}

let lexiconModel: string;
let taggerModel: string;
before(() => {
  lexiconModel = prepareAndTrain("lexicon", `lexicon:${join(fixture, "lexicon.json")}`);
  taggerModel = prepareAndTrain("tagger", "tagger");
});

/**
 * `localist check --json` of one rule on the lexicon model over `source` (`--split …` or
 * `--text …`): the report's row for the rule. Exit 1 (a rule failed) is a report too.
 */
function checkOneRule(
  rule: object,
  source: string[],
): { id: string; rows: number; queries: number } {
  const rules = tempFiles({ "rules.json": JSON.stringify({ rules: [rule] }) });
  const r = runCli([
    ...["check", "--model", lexiconModel, "--rules", join(rules, "rules.json")],
    ...source,
    "--json",
  ]);
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return (JSON.parse(r.stdout) as { rules: { id: string; rows: number; queries: number }[] })
    .rules[0];
}

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
  const rule = checkOneRule(
    { id: "to-sea", query: { all: true }, key: { block: "sea" }, alpha: 0.01, minFidelity: 0.5 },
    ["--split", "valid"],
  );
  assert.equal(rule.id, "to-sea");
  assert.ok(rule.rows > 0, "the sea block matched no key: the lexicon's blocks are lost");
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

test("the lexicon is saved with the model: a phrase's words take its block at every occurrence", () => {
  const model = LocalistModel.open(lexiconModel);
  try {
    const blocks = model.localist?.blocks;
    assert.ok(blocks?.kind === "tokens" && blocks.lexicon, "the model holds no lexicon");
    assert.deepEqual(blocks.lexicon.phrases.time.slice(-2), ["at dawn", "at dusk"]);
    const text = "They sailed at dawn and came home at dusk, at the quay.";
    const { blocks: own } = model.encodeWithBlocks(text);
    assert.ok(own, "typed text got no blocks per occurrence");
    const time = blocks.names.indexOf("time");
    const phraseTokens = model.encode(" at dawn").length + model.encode(" at dusk").length;
    assert.equal(own.filter((b) => b === time).length, phraseTokens);
    // " at" is mostly a preposition in the training text, so per token it would not count here.
    const rule = checkOneRule(
      {
        id: "from-time",
        query: { block: "time" },
        key: { all: true },
        alpha: 0.5,
        minFidelity: 0.5,
      },
      ["--text", text],
    );
    assert.equal(rule.queries, phraseTokens);
  } finally {
    model.dispose();
  }
});

test("a lexicon model saved without its phrases still opens, its blocks per token", () => {
  const old = join(dir, "old-lexicon-model");
  cpSync(lexiconModel, old, { recursive: true });
  const pointer = JSON.parse(readFileSync(join(old, "checkpoint.json"), "utf8")) as {
    current: string;
  };
  const configFile = join(old, pointer.current, "config.json");
  const config = JSON.parse(readFileSync(configFile, "utf8")) as {
    localist: { blocks: { lexicon?: unknown } };
  };
  delete config.localist.blocks.lexicon;
  writeFileSync(configFile, JSON.stringify(config));
  const model = LocalistModel.open(old);
  try {
    assert.equal(model.encodeWithBlocks("They sailed at dawn.").blocks, undefined);
  } finally {
    model.dispose();
  }
  const r = runCli(["explain", "--model", old, "--text", "They sailed at dawn.", "--layer", "0"]);
  assert.equal(r.status, 0, r.stderr);
});

test("generate labels the text again as it grows: its blocks are the final text's tags", () => {
  const model = LocalistModel.open(taggerModel);
  try {
    const names = (model.localist?.blocks as { names: string[] }).names;
    const prompt = model.encode("we book a flight");
    const seen: string[][] = [];
    const drawn = model.generate(prompt, {
      tokens: 4,
      temperature: 0,
      onBlocks: (blocks) => seen.push([...blocks].map((b) => names[b])),
    });
    assert.equal(seen.length, 4, "generate read no blocks per occurrence");
    assert.equal(seen[0].length, prompt.length);
    // The last draw read the prompt and the first three tokens drawn, tagged as one text.
    const read = [...prompt, ...drawn.slice(0, 3)];
    assert.ok(read.length <= model.config.context);
    const pieces = read.map((id) => (id === EOS_ID ? "\n" : model.decode([id])[0]));
    const text = pieces.join("");
    const words = tagText(text);
    let at = 0;
    const expected = pieces.map((piece) => {
      const start = at;
      at += piece.length;
      const first = start + piece.length - piece.trimStart().length;
      const word = words.find((w) => w.start <= first && first < w.end);
      return first < at && word ? word.coarse : "punctuation";
    });
    assert.deepEqual(seen[3], expected);
    const book = pieces.findIndex((p) => p.includes("book"));
    assert.equal(seen[3][book], "verb");
  } finally {
    model.dispose();
  }
});

test("--blocks-per token trains on each token's most frequent block, and new text is not labelled", () => {
  const model = join(dir, "per-token-model");
  const args = tinyTrainArgs({ dModel: 16, context: 16, batch: 4, steps: 2, out: model });
  const data = join(dir, "tagger-data");
  const trained = runCli(["train", "--data", data, "--localist", "--blocks-per", "token", ...args]);
  assert.equal(trained.status, 0, trained.stderr);
  const opened = LocalistModel.open(model);
  try {
    const blocks = opened.localist?.blocks;
    assert.ok(blocks?.kind === "tokens" && blocks.perToken === true);
    assert.equal(opened.encodeWithBlocks("we book a flight").blocks, undefined);
    assert.equal(opened.splitBlocks("valid"), undefined);
  } finally {
    opened.dispose();
  }
  const taggerOpened = LocalistModel.open(taggerModel);
  try {
    assert.equal(taggerOpened.splitBlocks("valid")?.length, taggerOpened.split("valid").length);
  } finally {
    taggerOpened.dispose();
  }
  const refused = runCli([
    "train",
    "--localist",
    "--blocks-per",
    "token",
    ...tinyTrainArgs({ out: join(dir, "refused") }),
  ]);
  assert.equal(refused.status, 2, refused.stderr);
  assert.equal(
    refused.stderr.trim(),
    "error: --blocks-per chooses how a prepared folder's blocks are read; use it with --blocks data",
  );
  // Recruitment splits the token table, which the folder's own blocks would override.
  const recruit = runCli(["train", "--data", data, "--localist", "--recruit", ...args]);
  assert.equal(recruit.status, 2, recruit.stderr);
  assert.equal(
    recruit.stderr.trim(),
    "error: --recruit splits each token's block, so it cannot split a prepared folder's blocks per occurrence; add --blocks-per token",
  );
  const recruited = runCli([
    "train",
    "--data",
    data,
    "--localist",
    "--recruit",
    "--recruit-every",
    "1",
    "--blocks-per",
    "token",
    ...tinyTrainArgs({ dModel: 16, context: 16, batch: 4, steps: 2, out: join(dir, "recruited") }),
  ]);
  assert.equal(recruited.status, 0, recruited.stderr);
});
