import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  loadTextCorpus,
  splitSentenceBlocks,
  tokenizeText,
  tokenizeWords,
} from "../../src/data/textCorpus.js";
import { LocalistError } from "../../src/engine/errors.js";

const folder = fs.mkdtempSync(path.join(os.tmpdir(), "localist-text-"));
process.on("exit", () => fs.rmSync(folder, { recursive: true, force: true }));

/** Writes a temp file and returns its path. */
function write(name: string, content: string | Uint8Array): string {
  const file = path.join(folder, name);
  fs.writeFileSync(file, content);
  return file;
}

/** Asserts that `run` throws a one-line LocalistError with exactly `message`, or matching it. */
function assertFails(run: () => unknown, message: string | RegExp): void {
  assert.throws(
    run,
    (error: unknown) =>
      error instanceof LocalistError &&
      (typeof message === "string" ? error.message === message : message.test(error.message)) &&
      !error.message.includes("\n"),
  );
}

test("words and punctuation are separate tokens", () => {
  assert.deepEqual(tokenizeWords("Hello, world! It's 3.14 -- well-known (really)..."), [
    "Hello",
    ",",
    "world",
    "!",
    "It's",
    "3.14",
    "--",
    "well-known",
    "(",
    "really",
    ")",
    "...",
  ]);
  assert.deepEqual(tokenizeWords("  \t "), []);
});

test("lines are cut into sentences after . ! ? and closing quotes", () => {
  assert.deepEqual(tokenizeText('He said "stop." Then left!\r\n\nWhy? ok'), [
    ["He", "said", '"', "stop", ".", '"'],
    ["Then", "left", "!"],
    ["Why", "?"],
    ["ok"],
  ]);
});

test("loadTextCorpus reads files in order and splits 90/5/5 by contiguous blocks", () => {
  const lines = Array.from({ length: 400 }, (_, i) => `line number ${i} .`);
  const a = write("a.txt", lines.slice(0, 250).join("\n") + "\n");
  const b = write("b.txt", "\uFEFF" + lines.slice(250).join("\n"));
  const corpus = loadTextCorpus([a, b]);
  assert.deepEqual(corpus.files, [a, b]);
  assert.equal(corpus.sentences.length, 400);
  assert.equal(corpus.wordCount, 1600);
  assert.deepEqual(corpus.sentences[0], ["line", "number", "0", "."]);
  assert.deepEqual(corpus.sentences[250], ["line", "number", "250", "."]);
  assert.deepEqual([corpus.train.length, corpus.valid.length, corpus.test.length], [360, 20, 20]);
  // 10 rounds of 40 sentences: 36 train, 2 valid, 2 test each.
  assert.deepEqual(corpus.valid.slice(0, 2), [corpus.sentences[36], corpus.sentences[37]]);
  assert.deepEqual(corpus.test.slice(0, 2), [corpus.sentences[38], corpus.sentences[39]]);
  const all = [...corpus.train, ...corpus.valid, ...corpus.test];
  assert.equal(new Set(all).size, 400);
  assert.deepEqual(loadTextCorpus([a, b]).test, corpus.test);
});

test("small corpora still get one valid and one test sentence", () => {
  const split = splitSentenceBlocks(["a", "b", "c", "d", "e"]);
  assert.deepEqual(split, { train: ["a", "b", "c"], valid: ["d"], test: ["e"] });
  assert.deepEqual(splitSentenceBlocks(["a", "b"], { valid: 0, test: 0 }).train, ["a", "b"]);
});

test("clear one-line errors for bad inputs", () => {
  const missing = path.join(folder, "missing.txt");
  assertFails(() => loadTextCorpus([missing]), `corpus file ${missing} does not exist`);
  assertFails(() => loadTextCorpus([folder]), /is a directory/);
  const empty = write("empty.txt", " \n\n\t\n");
  assertFails(
    () => loadTextCorpus([empty]),
    `corpus ${empty} has no words; give a non-empty plain-text file`,
  );
  assertFails(() => loadTextCorpus([]), /no corpus files given/);
  assertFails(() => loadTextCorpus([write("bin.dat", new Uint8Array([104, 0, 105]))]), /NUL bytes/);
  assertFails(
    () => loadTextCorpus([write("latin1.txt", new Uint8Array([99, 97, 102, 233]))]),
    /UTF-8/,
  );
  assertFails(() => loadTextCorpus([write("two.txt", "one\ntwo")]), /only 2 sentence\(s\)/);
  assertFails(() => loadTextCorpus([empty], { test: 1 }), /test must be a fraction/);
});
