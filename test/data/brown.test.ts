import { test } from "node:test";
import assert from "node:assert/strict";
import {
  baseTag,
  brownSentenceWords,
  COARSE_CLASSES,
  coarseTag,
  countBrownTokens,
  loadBrown,
  parseBrownDocument,
  splitBrownDocuments,
} from "../../src/data/brown.js";
import { LocalistError } from "../../src/engine/errors.js";

const corpus = loadBrown();

test("the Brown corpus has 500 documents, 57,340 sentences and about 1.16 million tokens", () => {
  assert.equal(corpus.documents.length, 500);
  const tokens = countBrownTokens(corpus.documents);
  assert.ok(tokens > 1_150_000 && tokens < 1_170_000, `token count ${tokens}`);
  assert.equal(tokens, 1_161_192);
  assert.equal(brownSentenceWords(corpus.documents).length, 57_340);
  const first = corpus.documents[0];
  assert.equal(first.id, "ca01");
  assert.equal(first.genre, "news");
  assert.deepEqual(first.sentences[0].slice(0, 3), [
    { word: "The", tag: "at" },
    { word: "Fulton", tag: "np-tl" },
    { word: "County", tag: "nn-tl" },
  ]);
  assert.equal(new Set(corpus.documents.map((d) => d.genre)).size, 15);
});

test("loadBrown caches the parsed corpus", () => {
  assert.equal(loadBrown(), corpus);
});

test("words containing a slash keep it; the tag is after the last slash", () => {
  assert.deepEqual(parseBrownDocument("\n\t1-1/2/cd ./.\n", "x"), [
    [
      { word: "1-1/2", tag: "cd" },
      { word: ".", tag: "." },
    ],
  ]);
  assert.throws(() => parseBrownDocument("word", "x"), LocalistError);
});

test("the default split is i mod 20 = 18 → valid, 19 → test: deterministic, disjoint, complete", () => {
  const split = splitBrownDocuments(corpus);
  assert.deepEqual([split.train.length, split.valid.length, split.test.length], [450, 25, 25]);
  const ids = [...split.train, ...split.valid, ...split.test].map((d) => d.id);
  assert.equal(new Set(ids).size, 500);
  assert.deepEqual(new Set(ids), new Set(corpus.documents.map((d) => d.id)));
  assert.deepEqual(
    split.valid.slice(0, 2).map((d) => d.id),
    ["ca19", "ca39"],
  );
  assert.deepEqual(
    split.test.slice(0, 2).map((d) => d.id),
    ["ca20", "ca40"],
  );
  const again = splitBrownDocuments({ documents: [...corpus.documents].reverse() });
  assert.deepEqual(
    again.test.map((d) => d.id),
    split.test.map((d) => d.id),
  );
  assert.ok(new Set(split.test.map((d) => d.genre)).size >= 10, "test spans genres");
});

test("other fractions use the smallest period that makes them whole", () => {
  const tenths = splitBrownDocuments(corpus, { valid: 0.1, test: 0.1 });
  assert.deepEqual([tenths.valid.length, tenths.test.length], [50, 50]);
  const none = splitBrownDocuments(corpus, { valid: 0, test: 0 });
  assert.equal(none.train.length, 500);
  assert.throws(() => splitBrownDocuments(corpus, { valid: 0.6, test: 0.5 }), /valid \+ test/);
  assert.throws(() => splitBrownDocuments(corpus, { valid: -0.1 }), /valid must be a fraction/);
});

test("coarseTag maps base tags by prefix, compounds by their first part", () => {
  const cases: Array<[string, string]> = [
    ["nn", "noun"],
    ["nns$-tl", "noun"],
    ["np-tl-hl", "noun"],
    ["nr", "noun"],
    ["nn+bez", "noun"],
    ["vbd", "verb"],
    ["bedz*", "verb"],
    ["md*", "verb"],
    ["hvz", "verb"],
    ["jjr", "adjective-adverb"],
    ["rb", "adjective-adverb"],
    ["ql", "adjective-adverb"],
    ["ap", "adjective-adverb"],
    ["at", "determiner-pronoun"],
    ["ppss+md", "determiner-pronoun"],
    ["wdt", "determiner-pronoun"],
    ["ex", "determiner-pronoun"],
    ["in-tl", "preposition-conjunction"],
    ["to", "preposition-conjunction"],
    ["cs", "preposition-conjunction"],
    [".", "punctuation"],
    ["---hl", "punctuation"],
    ["``", "punctuation"],
    ["cd", "other"],
    ["*", "other"],
    ["fw-nn-tl", "noun"],
    ["fw-in+at-tl", "preposition-conjunction"],
  ];
  for (const [tag, coarse] of cases) assert.equal(coarseTag(tag), coarse, tag);
  assert.equal(baseTag("FW-NNS-TL"), "nns");
  assert.equal(baseTag("*"), "*");
});

test("every coarse class occurs in the corpus", () => {
  const seen = new Set<string>();
  for (const document of corpus.documents)
    for (const sentence of document.sentences)
      for (const token of sentence) seen.add(coarseTag(token.tag));
  assert.deepEqual([...seen].sort(), [...COARSE_CLASSES].sort());
});
