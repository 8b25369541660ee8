import { test } from "node:test";
import assert from "node:assert/strict";
import { brownSentenceWords, loadBrown, splitBrownDocuments } from "../../src/data/brown.js";
import {
  CharTokenizer,
  EOS_ID,
  tokenizerFromJSON,
  UNK_ID,
  WordTokenizer,
} from "../../src/data/tokenizer.js";
import { LocalistError } from "../../src/engine/errors.js";

const sentences = [
  ["The", "cat", "sat", "."],
  ["the", "dog", "sat", "on", "the", "mat", "."],
  ["A", "cat", "!"],
];

test("special tokens are <unk> = 0 and <eos> = 1; words follow by frequency, ties by first appearance", () => {
  const tokenizer = WordTokenizer.fromSentences(sentences);
  assert.equal(UNK_ID, 0);
  assert.equal(EOS_ID, 1);
  assert.deepEqual(tokenizer.tokens, [
    "<unk>",
    "<eos>",
    "the",
    "cat",
    "sat",
    ".",
    "dog",
    "on",
    "mat",
    "a",
    "!",
  ]);
  assert.equal(tokenizer.vocabSize, 11);
  assert.equal(tokenizer.kind, "word");
});

test("encode → decode round trip (lowercased) and unknown words → <unk>", () => {
  const tokenizer = WordTokenizer.fromSentences(sentences);
  const words = ["The", "dog", "sat", "on", "a", "mat", "."];
  const ids = tokenizer.encode(words);
  assert.ok(ids instanceof Int32Array);
  assert.deepEqual(
    tokenizer.decode(ids),
    words.map((w) => w.toLowerCase()),
  );
  assert.deepEqual([...tokenizer.encode(["zebra", "cat", "<eos>"])], [UNK_ID, 3, EOS_ID]);
  assert.deepEqual(tokenizer.decode([0, 1]), ["<unk>", "<eos>"]);
  assert.throws(() => tokenizer.decode([11]), /outside the vocabulary \[0, 11\)/);
  const stream = tokenizer.encodeSentences([["cat"], ["dog", "."]]);
  assert.deepEqual([...stream], [3, EOS_ID, 6, 5, EOS_ID]);
});

test("lowercase: false keeps case", () => {
  const tokenizer = WordTokenizer.fromSentences(sentences, { lowercase: false });
  assert.ok(tokenizer.tokens.includes("The") && tokenizer.tokens.includes("the"));
  assert.deepEqual(tokenizer.decode(tokenizer.encode(["The", "A"])), ["The", "A"]);
});

test("maxVocab caps the vocabulary (specials included) and minCount drops rare words", () => {
  const capped = WordTokenizer.fromSentences(sentences, { maxVocab: 5 });
  assert.deepEqual(capped.tokens, ["<unk>", "<eos>", "the", "cat", "sat"]);
  assert.deepEqual([...capped.encode(["mat"])], [UNK_ID]);
  const frequent = WordTokenizer.fromSentences(sentences, { minCount: 2 });
  assert.deepEqual(frequent.tokens, ["<unk>", "<eos>", "the", "cat", "sat", "."]);
  assert.throws(() => WordTokenizer.fromSentences(sentences, { maxVocab: 1 }), LocalistError);
  assert.throws(() => WordTokenizer.fromSentences(sentences, { minCount: 0 }), /minCount/);
});

test("on Brown the default cap gives 10,000 tokens and covers ~91% of validation words", () => {
  const split = splitBrownDocuments(loadBrown());
  const tokenizer = WordTokenizer.fromSentences(brownSentenceWords(split.train));
  assert.equal(tokenizer.vocabSize, 10_000);
  assert.deepEqual(tokenizer.tokens.slice(0, 5), ["<unk>", "<eos>", "the", ",", "."]);
  const ids = tokenizer.encodeSentences(brownSentenceWords(split.valid));
  const unknown = ids.filter((id) => id === UNK_ID).length / ids.length;
  assert.ok(unknown > 0.03 && unknown < 0.15, `unknown rate ${unknown}`);
  const again = WordTokenizer.fromSentences(brownSentenceWords(split.train));
  assert.deepEqual(again.tokens, tokenizer.tokens);
});

test("JSON round trip through objects and text", () => {
  const tokenizer = WordTokenizer.fromSentences(sentences, { lowercase: false });
  const text = JSON.stringify(tokenizer);
  const restored = WordTokenizer.fromJSON(JSON.parse(text));
  assert.deepEqual(restored.tokens, tokenizer.tokens);
  assert.equal(restored.lowercase, false);
  const viaText = tokenizerFromJSON(text);
  assert.ok(viaText instanceof WordTokenizer);
  assert.deepEqual([...viaText.encode(["The", "mat"])], [...tokenizer.encode(["The", "mat"])]);
  const chars = CharTokenizer.fromText("hello");
  assert.ok(tokenizerFromJSON(chars.toJSON()) instanceof CharTokenizer);
});

test("malformed JSON is rejected with a clear one-line message", () => {
  const good = WordTokenizer.fromSentences(sentences).toJSON();
  const cases: Array<[unknown, RegExp]> = [
    [null, /must be an object, got null/],
    [[1, 2], /must be an object, got \[1,2\]/],
    ["{not json", /not valid JSON/],
    [{ ...good, kind: "wordpiece" }, /kind must be one of "word", "char", "bpe", got "wordpiece"/],
    [{ ...good, kind: "bpe" }, /a bpe tokenizer cannot lowercase/],
    [{ ...good, merges: [[2, 3]] }, /a word tokenizer has no merges/],
    [{ ...good, version: 2 }, /version must be 1, got 2/],
    [{ ...good, lowercase: "yes" }, /lowercase must be true or false, got "yes"/],
    [{ ...good, tokens: "the" }, /tokens must be a list, got "the"/],
    [{ ...good, tokens: ["<unk>", "<eos>", 3] }, /tokens\.2 must be a string, got 3/],
    [{ ...good, tokens: ["the", "<eos>"] }, /token 0 must be "<unk>"/],
    [{ ...good, tokens: ["<unk>", "<eos>", "a", "a"] }, /duplicate token "a" at id 3/],
  ];
  for (const [value, message] of cases) {
    assert.throws(
      () => tokenizerFromJSON(value),
      (error: unknown) =>
        error instanceof LocalistError &&
        /^malformed tokenizer JSON: /.test(error.message) &&
        message.test(error.message) &&
        !error.message.includes("\n"),
    );
  }
  assert.throws(() => CharTokenizer.fromJSON(good), /expected a char tokenizer/);
  assert.throws(
    () => CharTokenizer.fromJSON({ ...good, kind: "char" }),
    /char token 2 must be one character/,
  );
});

test("CharTokenizer: code points by frequency, round trip, unknown → <unk>, cap", () => {
  const tokenizer = CharTokenizer.fromText("abracadabra 🙂");
  assert.equal(tokenizer.kind, "char");
  assert.deepEqual(tokenizer.tokens.slice(0, 5), ["<unk>", "<eos>", "a", "b", "r"]);
  assert.equal(tokenizer.vocabSize, 2 + 7);
  assert.equal(tokenizer.decodeText(tokenizer.encodeText("cab 🙂")), "cab 🙂");
  assert.deepEqual([...tokenizer.encodeText("z")], [UNK_ID]);
  assert.deepEqual(tokenizer.decode(tokenizer.encode(["a", "d"])), ["a", "d"]);
  assert.equal(tokenizer.lowercase, false);
  assert.deepEqual(
    [...CharTokenizer.fromText("Aa", { lowercase: true }).tokens],
    ["<unk>", "<eos>", "a"],
  );
  const capped = CharTokenizer.fromText(["aaab", "bc"], { maxVocab: 4 });
  assert.deepEqual(capped.tokens, ["<unk>", "<eos>", "a", "b"]);
  const rare = CharTokenizer.fromText("aaab", { minCount: 2 });
  assert.deepEqual(rare.tokens, ["<unk>", "<eos>", "a"]);
  const restored = CharTokenizer.fromJSON(JSON.parse(JSON.stringify(tokenizer)));
  assert.deepEqual(restored.tokens, tokenizer.tokens);
});
