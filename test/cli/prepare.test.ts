/**
 * `localist prepare` end to end: a small non-Brown text (fixtures/corpus/harbour.txt) into BPE
 * tokens with lexicon blocks, word tokens with tagger blocks per occurrence, Brown with its gold
 * tags (the same stream as `--corpus brown`), bad inputs one line each, and a killed run that
 * leaves no folder.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { loadLmCorpus } from "../../src/data/lmCorpus.js";
import { EOS_ID, type BpeTokenizer, type WordTokenizer } from "../../src/data/tokenizer.js";
import { TokenFolder, type SplitName } from "../../src/io/tokenFiles.js";
import { runCli, tempFiles } from "../helpers/cli.js";

const fixture = fileURLToPath(new URL("../../../fixtures/corpus/", import.meta.url));
const harbour = join(fixture, "harbour.txt");
const lexicon = join(fixture, "lexicon.json");
const dir = tempFiles({
  "book.txt": "We book a flight to the island.\n\nIt is a good book about the sea.\n".repeat(8),
  "latin1.txt": "caf\u00e9",
  "empty.txt": "",
  "twice.json": '{"sea": ["boat"], "food": ["fish"], "sea": ["ferry"]}',
  "shared.csv": "sea,fish\nfood,Fish\n",
});
writeFileSync(join(dir, "latin1.txt"), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]));
writeFileSync(join(dir, "nul.txt"), Buffer.from("text\u0000more\n"));
mkdirSync(join(dir, "images"));
writeFileSync(join(dir, "images", "photo.png"), Buffer.from([0x89, 0x50, 0x4e, 0x47]));

/** Every token of a folder, all splits in order, and the blocks. */
function readAll(out: string): Record<SplitName, { tokens: number[]; blocks?: number[] }> & {
  folder: TokenFolder;
} {
  const folder = TokenFolder.open(out);
  const read = (split: SplitName) => {
    const w = folder.window(split, 0, folder.length(split));
    return { tokens: [...w.tokens], blocks: w.blocks ? [...w.blocks] : undefined };
  };
  return { train: read("train"), valid: read("valid"), test: read("test"), folder };
}

/** Names of everything in `dir` that is a prepared folder or its temporary sibling. */
function leftovers(name: string): string[] {
  return readdirSync(dir).filter((n) => n.includes(name));
}

test("a non-Brown text: BPE tokens, lossless paragraphs, lexicon blocks per occurrence", () => {
  const out = join(dir, "harbour-bpe");
  const args = ["prepare", "--corpus", harbour, "--out", out, "--tokenizer", "bpe"];
  const result = runCli([...args, "--vocab", "600", "--blocks", `lexicon:${lexicon}`]);
  assert.equal(result.status, 0, result.stderr);
  assert.match(result.stdout, /^prepared .*harbour-bpe: bpe tokenizer, vocabulary 600, uint16$/m);
  assert.match(result.stdout, /MB\/s\)$/m);
  const data = readAll(out);
  const tokenizer = data.folder.tokenizer as BpeTokenizer;
  const names = data.folder.blockNames as readonly string[];
  assert.deepEqual(names.slice(0, 3), ["sea", "food", "time"]);
  // One round (17 text lines): train, then valid, then test hold the paragraphs in order.
  const all = [...data.train.tokens, ...data.valid.tokens, ...data.test.tokens];
  const blocks = [...data.train.blocks!, ...data.valid.blocks!, ...data.test.blocks!];
  assert.ok(!all.includes(0), "no <unk>");
  const paragraphs = readFileSync(harbour, "utf8")
    .split(/\n\s*\n/)
    .map((p) => p.trim())
    .filter(Boolean);
  assert.equal(tokenizer.decodeText(all), paragraphs.map((p) => `${p}<eos>`).join(""));
  assert.equal(data.test.tokens.at(-1), EOS_ID);
  // Every token of "harbour" (any case) is in the sea block; "good" is an adjective.
  const text = (i: number) => tokenizer.decodeText([all[i]]);
  for (let i = 0; i < all.length; i++) {
    const word = text(i).trim().toLowerCase();
    if (word === "harbour" || word === "ferry") assert.equal(names[blocks[i]], "sea");
    if (word === "bread") assert.equal(names[blocks[i]], "food");
    if (word === "good") assert.equal(names[blocks[i]], "adjective-adverb");
    if (all[i] === EOS_ID) assert.equal(names[blocks[i]], "punctuation");
  }
  data.folder.close();
  // The same tokenizer, given as a file: the same tokens.
  const again = join(dir, "harbour-again");
  const reused = runCli([
    "prepare",
    "--corpus",
    harbour,
    "--out",
    again,
    "--tokenizer-file",
    join(out, "tokenizer.json"),
  ]);
  assert.equal(reused.status, 0, reused.stderr);
  const second = readAll(again);
  assert.deepEqual(second.train.tokens, data.train.tokens);
  assert.equal(second.folder.manifest.blocks, null);
  second.folder.close();
});

test("word tokens with tagger blocks: the same word in two classes by its sentence", () => {
  const out = join(dir, "book-word");
  const result = runCli([
    "prepare",
    "--corpus",
    join(dir, "book.txt"),
    "--out",
    out,
    "--blocks",
    "tagger",
  ]);
  assert.equal(result.status, 0, result.stderr);
  const data = readAll(out);
  const tokenizer = data.folder.tokenizer as WordTokenizer;
  const book = tokenizer.idOf("book");
  const names = data.folder.blockNames as readonly string[];
  const classes = new Set(
    data.train.tokens.flatMap((id, i) => (id === book ? [names[data.train.blocks![i]]] : [])),
  );
  assert.deepEqual([...classes].sort(), ["noun", "verb"]);
  assert.equal(data.folder.manifest.blocks?.source, "tagger");
  data.folder.close();
});

test("Brown through the same path: the word stream of --corpus brown, gold tags as blocks", () => {
  const out = join(dir, "brown");
  const result = runCli(["prepare", "--corpus", "brown", "--out", out, "--blocks", "pos"], {
    timeoutMs: 300_000,
  });
  assert.equal(result.status, 0, result.stderr);
  const data = readAll(out);
  const reference = loadLmCorpus({ corpus: "brown", tokenizer: "word" });
  assert.deepEqual(data.folder.tokenizer.toJSON(), reference.tokenizer.toJSON());
  assert.deepEqual(data.train.tokens, [...reference.train]);
  assert.deepEqual(data.valid.tokens, [...reference.valid]);
  assert.equal(data.folder.manifest.blocks?.source, "pos");
  // "the" is a determiner wherever it occurs.
  const the = (data.folder.tokenizer as WordTokenizer).idOf("the");
  const names = data.folder.blockNames as readonly string[];
  const i = data.train.tokens.indexOf(the);
  assert.equal(names[data.train.blocks![i]], "determiner-pronoun");
  data.folder.close();
});

test("bad input: one line, exit 1, no folder left behind", () => {
  const cases: [string[], RegExp][] = [
    [
      ["--corpus", join(dir, "latin1.txt")],
      /^corpus file .*latin1\.txt is not valid UTF-8 \(in bytes 0–5\); save it as UTF-8 text$/,
    ],
    [
      ["--corpus", join(dir, "nul.txt")],
      /^corpus file .*nul\.txt is not plain text \(a NUL byte at byte 4\); give UTF-8 text$/,
    ],
    [
      ["--corpus", join(dir, "empty.txt")],
      /^corpus file .*empty\.txt is empty; give a file with text, or leave it out$/,
    ],
    [
      ["--corpus", join(dir, "images")],
      /^corpus folder .*images holds no text files \(\.txt, \.text, \.md\); put plain-text files in it$/,
    ],
    [["--corpus", join(dir, "missing.txt")], /^corpus file .*missing\.txt does not exist$/],
    [
      ["--corpus", harbour, "--blocks", `lexicon:${join(dir, "twice.json")}`],
      /^lexicon .*twice\.json names block "sea" twice; list each block once$/,
    ],
    [
      ["--corpus", harbour, "--blocks", `lexicon:${join(dir, "shared.csv")}`],
      /^lexicon .*shared\.csv puts "Fish" in two blocks, "sea" and "food"; give each phrase one block$/,
    ],
    [
      ["--corpus", harbour, "--blocks", "pos"],
      /^pos blocks are Brown's gold tags; for other text use the tagger$/,
    ],
    [
      ["--corpus", harbour, "--tokenizer", "bpe", "--vocab", "100"],
      /maxVocab must be an integer ≥ 258 for a bpe tokenizer/,
    ],
  ];
  for (const [flags, message] of cases) {
    const out = join(dir, "bad-out");
    const result = runCli(["prepare", ...flags, "--out", out]);
    const lines = result.stderr.trimEnd().split("\n");
    assert.ok(result.status === 1 || result.status === 2, `${flags.join(" ")}: ${result.stderr}`);
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0].replace(/^error: /, ""), message);
    assert.deepEqual(leftovers("bad-out"), [], flags.join(" "));
  }
  const existing = runCli(["prepare", "--corpus", harbour, "--out", dir]);
  assert.equal(existing.status, 1);
  assert.match(existing.stderr, /already exists; give a new folder for the prepared data/);
});

test("a killed run leaves no folder (the data appears whole or not at all)", async () => {
  const big = join(dir, "big.txt");
  writeFileSync(big, readFileSync(harbour, "utf8").repeat(2000)); // ~9 MB
  const out = join(dir, "killed");
  const launcher = fileURLToPath(new URL("../../../bin/localist.js", import.meta.url));
  const child = spawn(process.execPath, [launcher, "prepare", "--corpus", big, "--out", out], {
    stdio: "ignore",
  });
  // Kill it while it writes: once its temporary sibling folder exists.
  const writing = () => readdirSync(dir).some((n) => n.startsWith(".killed.tmp-"));
  const began = Date.now();
  while (!writing() && Date.now() - began < 60_000)
    await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(writing(), "the run started writing");
  child.kill("SIGKILL");
  await new Promise((resolve) => child.on("exit", resolve));
  assert.ok(!existsSync(out), "the target folder must not exist after a kill");
});
