import { test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BpeTokenizer, CharTokenizer, WordTokenizer } from "../../src/data/tokenizer.js";
import { LocalistError } from "../../src/engine/errors.js";
import {
  TokenFolder,
  TokenFolderWriter,
  tokenizerHash,
  tokenizerText,
} from "../../src/io/tokenFiles.js";
import { splitOfLine } from "../../src/io/prepareCorpus.js";

const root = mkdtempSync(join(tmpdir(), "localist-tokens-"));
process.on("exit", () => rmSync(root, { recursive: true, force: true }));

const words = WordTokenizer.fromSentences([["the", "cat", "sat"]]);

function fails(run: () => unknown, message: RegExp): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof LocalistError, String(error));
    assert.match(error.message, message);
    assert.ok(!error.message.includes("\n"));
    return true;
  });
}

test("write then read by window: uint16 little-endian, blocks beside, the exact layout", () => {
  const out = join(root, "small");
  const writer = new TokenFolderWriter(out, {
    tokenizer: words,
    blocks: { source: "test", names: ["a", "b", "c"] },
    sources: [{ file: "x.txt", bytes: 3 }],
  });
  assert.ok(!existsSync(out), "nothing appears before commit");
  writer.append("train", [2, 3, 4, 1], [0, 1, 2, 0]);
  writer.append("valid", [4, 1], [2, 0]);
  writer.append("test", [3, 1], [1, 0]);
  const manifest = writer.commit();
  assert.deepEqual(readdirSync(out).sort(), [
    "manifest.json",
    "test.blocks.bin",
    "test.tokens.bin",
    "tokenizer.json",
    "train.blocks.bin",
    "train.tokens.bin",
    "valid.blocks.bin",
    "valid.tokens.bin",
  ]);
  assert.deepEqual([...readFileSync(join(out, "train.tokens.bin"))], [2, 0, 3, 0, 4, 0, 1, 0]);
  assert.deepEqual([...readFileSync(join(out, "train.blocks.bin"))], [0, 1, 2, 0]);
  assert.equal(readFileSync(join(out, "tokenizer.json"), "utf8"), tokenizerText(words));
  assert.deepEqual(JSON.parse(readFileSync(join(out, "manifest.json"), "utf8")), manifest);
  assert.deepEqual(manifest, {
    format: "localist-tokens",
    version: 1,
    dtype: "uint16",
    tokenizer: { file: "tokenizer.json", sha256: tokenizerHash(words) },
    blocks: { source: "test", names: ["a", "b", "c"] },
    splits: { train: { tokens: 4 }, valid: { tokens: 2 }, test: { tokens: 2 } },
    sources: [{ file: "x.txt", bytes: 3 }],
  });
  const folder = TokenFolder.open(out);
  assert.deepEqual(folder.window("train", 1, 3), {
    tokens: Int32Array.of(3, 4, 1),
    blocks: Uint8Array.of(1, 2, 0),
  });
  folder.checkTokenizer(words, "the model");
  fails(
    () => folder.checkTokenizer(CharTokenizer.fromText("abc"), "model m"),
    /was prepared with a different tokenizer than model m/,
  );
  fails(() => folder.window("valid", 1, 2), /past the end of valid \(2 tokens\)/);
  folder.close();
  fails(
    () => new TokenFolderWriter(out, { tokenizer: words, blocks: null, sources: [] }),
    /already exists; give a new folder/,
  );
});

test("a vocabulary above 65 536 ids is stored as uint32", () => {
  // 65 300 merges of two bytes each (every byte pair (i >> 8, i & 255)): 65 558 ids.
  const bpe = BpeTokenizer.fromMerges(
    Int32Array.from({ length: 2 * 65300 }, (_, k) =>
      k % 2 === 0 ? (k >> 1) >> 8 : (k >> 1) & 255,
    ),
  );
  assert.ok(bpe.vocabSize > 65536);
  const out = join(root, "wide");
  const writer = new TokenFolderWriter(out, { tokenizer: bpe, blocks: null, sources: [] });
  writer.append("train", [65550, 1]);
  const manifest = writer.commit();
  assert.equal(manifest.dtype, "uint32");
  assert.deepEqual(
    [...readFileSync(join(out, "train.tokens.bin"))],
    [0x0e, 0x00, 0x01, 0x00, 1, 0, 0, 0],
  );
  const folder = TokenFolder.open(out);
  assert.deepEqual(folder.window("train", 0, 2), { tokens: Int32Array.of(65550, 1) });
  folder.close();
});

test("abort leaves nothing; damaged folders are one line each", () => {
  const aborted = join(root, "aborted");
  const writer = new TokenFolderWriter(aborted, { tokenizer: words, blocks: null, sources: [] });
  writer.append("train", [2, 1]);
  writer.abort();
  assert.deepEqual(
    readdirSync(root).filter((n) => n.includes("aborted")),
    [],
  );
  const make = (name: string) => {
    const out = join(root, name);
    const w = new TokenFolderWriter(out, { tokenizer: words, blocks: null, sources: [] });
    w.append("train", [2, 3, 1]);
    w.commit();
    return out;
  };
  fails(
    () => TokenFolder.open(join(root, "nowhere")),
    /is not a prepared data folder \(no such folder\)/,
  );
  const cut = make("cut");
  truncateSync(join(cut, "train.tokens.bin"), 4);
  fails(() => TokenFolder.open(cut), /train\.tokens\.bin has 4 bytes but manifest\.json says 6/);
  const edited = make("edited");
  writeFileSync(join(edited, "tokenizer.json"), tokenizerText(CharTokenizer.fromText("xyz")));
  fails(() => TokenFolder.open(edited), /does not match the hash in manifest\.json/);
  const bad = make("bad");
  writeFileSync(join(bad, "manifest.json"), '{"format": "localist-tokens", "version": 2}');
  fails(() => TokenFolder.open(bad), /manifest\.json: version must be 1, got 2/);
});

test("splitOfLine splits lines as splitSentenceBlocks splits sentences", async () => {
  const { splitSentenceBlocks } = await import("../../src/data/words.js");
  for (const n of [3, 17, 20, 57, 400, 1001]) {
    const lines = Array.from({ length: n }, (_, i) => i);
    const expected = splitSentenceBlocks(lines, { valid: 0.05, test: 0.05 });
    const ours = { train: [] as number[], valid: [] as number[], test: [] as number[] };
    for (const i of lines) ours[splitOfLine(i, n, { valid: 0.05, test: 0.05 })].push(i);
    assert.deepEqual(ours, expected, `n = ${n}`);
  }
});
