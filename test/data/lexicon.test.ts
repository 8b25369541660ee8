import { test } from "node:test";
import assert from "node:assert/strict";
import { lexiconBlocks } from "../../src/data/lexicon.js";
import { parseLexicon } from "../../src/data/lexiconFile.js";
import { tagText } from "../../src/data/tagger.js";
import { LocalistError } from "../../src/engine/errors.js";

/** The block name of every word of `text` under the lexicon. */
function blocksOf(lexiconText: string, text: string, fallback?: "tagger" | "other"): string[][] {
  const lexicon = parseLexicon(lexiconText, "test", fallback);
  const words = tagText(text);
  const blocks = lexiconBlocks(lexicon, text, words);
  return words.map((w, i) => [text.slice(w.start, w.end), lexicon.names[blocks[i]]]);
}

/** Asserts a one-line LocalistError with exactly this message. */
function fails(run: () => unknown, message: string): void {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof LocalistError);
    assert.equal(error.message, message);
    return true;
  });
}

test("JSON lexicon: longest phrase wins, case-insensitive; other words keep their tagger class", () => {
  const lexicon = JSON.stringify({
    place: ["New York", "New York City", "Paris"],
    food: ["apple", "apple pie"],
  });
  assert.deepEqual(blocksOf(lexicon, "We ate apple pie in new york city, not in Paris."), [
    ["We", "determiner-pronoun"],
    ["ate", "verb"],
    ["apple", "food"],
    ["pie", "food"],
    ["in", "preposition-conjunction"],
    ["new", "place"],
    ["york", "place"],
    ["city", "place"],
    [",", "punctuation"],
    ["not", "other"],
    ["in", "preposition-conjunction"],
    ["Paris", "place"],
    [".", "punctuation"],
  ]);
  const parsed = parseLexicon(lexicon, "test");
  assert.deepEqual(parsed.names.slice(0, 3), ["place", "food", "noun"]);
  assert.equal(parsed.names.length, 2 + 7);
});

test("CSV lexicon (optional header, quotes) and the `other` fallback", () => {
  const csv = 'block,phrase\nfood,apple\nfood,"apple pie"\nplace,Paris\n';
  assert.deepEqual(blocksOf(csv, "Apple pie in Paris.", "other"), [
    ["Apple", "food"],
    ["pie", "food"],
    ["in", "other"],
    ["Paris", "place"],
    [".", "other"],
  ]);
  assert.deepEqual(parseLexicon(csv, "t", "other").names, ["food", "place", "other"]);
});

test("bad lexicons: one line each", () => {
  fails(
    () => parseLexicon("  \n", "x.json"),
    'lexicon x.json is empty; give {"block": ["word", "multi word phrase"]} or block,phrase lines',
  );
  fails(
    () => parseLexicon('{"food": ["apple"], "place": ["Paris"], "food": ["pear"]}', "x.json"),
    'lexicon x.json names block "food" twice; list each block once',
  );
  fails(
    () => parseLexicon('{"food": ["Apple pie"], "dessert": ["apple  pie"]}', "x.json"),
    'lexicon x.json puts "apple  pie" in two blocks, "food" and "dessert"; give each phrase one block',
  );
  fails(
    () => parseLexicon("food,apple\nplace,apple\n", "x.csv"),
    'lexicon x.csv puts "apple" in two blocks, "food" and "place"; give each phrase one block',
  );
  fails(
    () => parseLexicon('{"food": "apple"}', "x.json"),
    'lexicon x.json: block "food" must be a list of words and phrases',
  );
  fails(
    () => parseLexicon("food,apple,pie\n", "x.csv"),
    'lexicon x.csv: line 1 must be block,phrase (two cells), got "food,apple,pie"',
  );
  fails(() => parseLexicon("{}", "x.json"), "lexicon x.json lists no phrases; give at least one");
  fails(
    () => parseLexicon('{"a": ["  "]}', "x.json"),
    'lexicon x.json: "  " (block "a") has no words',
  );
});
