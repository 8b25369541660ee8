import { test } from "node:test";
import assert from "node:assert/strict";
import { lexiconFromStored, storedLexicon } from "../../src/data/lexicon.js";
import { parseLexicon } from "../../src/data/lexiconFile.js";
import {
  encodeWithBlocks,
  labelIds,
  lexiconLabels,
  recordedLabels,
  spelledText,
  taggerLabels,
} from "../../src/data/tokenBlocks.js";
import { BpeTokenizer, CharTokenizer, EOS_ID, WordTokenizer } from "../../src/data/tokenizer.js";
import { tokenizeWords } from "../../src/data/words.js";

const text = "We book a flight. It is a good book about the harbour.";

test("every tokenizer's tokens take the block of their word in its own sentence", () => {
  const labels = taggerLabels();
  const names = labels.names;
  const word = WordTokenizer.fromSentences([tokenizeWords(text)]);
  const w = encodeWithBlocks(word, text, labels);
  assert.deepEqual([...w.ids], [...word.encode(tokenizeWords(text))]);
  const book = word.idOf("book");
  assert.deepEqual(
    [...w.ids.keys()].filter((i) => w.ids[i] === book).map((i) => names[w.blocks[i]]),
    ["verb", "noun"],
  );
  const bpe = BpeTokenizer.fromText(text.repeat(3), { maxVocab: 300 });
  const b = encodeWithBlocks(bpe, text, labels);
  assert.deepEqual([...b.ids], [...bpe.encodeText(text)]);
  const spans = bpe.encodeSpans(text);
  const firstBook = text.indexOf("book");
  const lastBook = text.lastIndexOf("book");
  for (let i = 0; i < b.ids.length; i++) {
    if (spans.starts[i] >= firstBook - 1 && spans.ends[i] <= firstBook + 4)
      assert.equal(names[b.blocks[i]], "verb");
    if (spans.starts[i] >= lastBook - 1 && spans.ends[i] <= lastBook + 4)
      assert.equal(names[b.blocks[i]], "noun");
  }
  const char = CharTokenizer.fromText(text);
  const c = encodeWithBlocks(char, text, labels);
  assert.equal(c.ids.length, [...text].length);
  assert.equal(names[c.blocks[text.indexOf(" ")]], "punctuation");
  assert.equal(names[c.blocks[firstBook + 2]], "verb");
});

test("lexicon blocks reach subwords; the parsed phrases are kept for saving", () => {
  const lexicon = parseLexicon('{"sea": ["harbour"]}', "l.json");
  assert.deepEqual(lexicon.phrases, { sea: ["harbour"] });
  const labels = lexiconLabels(lexicon);
  assert.equal(labels.source, "lexicon:l.json");
  const bpe = BpeTokenizer.fromText("the harbour and the sea", { maxVocab: 270 });
  const { ids, blocks } = encodeWithBlocks(bpe, text, labels);
  const spans = bpe.encodeSpans(text);
  const at = text.indexOf("harbour");
  for (let i = 0; i < ids.length; i++)
    if (spans.starts[i] >= at && spans.ends[i] <= at + 7)
      assert.equal(labels.names[blocks[i]], "sea");
});

test("BPE stream decoding holds a character cut between tokens until it is whole", () => {
  const bpe = BpeTokenizer.fromText("plain", { maxVocab: 258 }); // bytes only
  const ids = bpe.encodeText("a🙂b");
  assert.equal(ids.length, 6); // a, four bytes of the emoji, b
  const next = bpe.streamDecoder();
  const pieces = [...ids, 1].map((id) => next(id));
  assert.deepEqual(pieces, ["a", "", "", "", "🙂", "b", "<eos>"]);
});

test("a token sequence's blocks come from labelling the text it spells, per occurrence", () => {
  const labels = taggerLabels();
  const bpe = BpeTokenizer.fromText(text.repeat(3), { maxVocab: 300 });
  const ids = Int32Array.from([...bpe.encodeText(text), EOS_ID, ...bpe.encodeText(" The end")]);
  const { text: spelled, starts, ends } = spelledText(bpe, ids);
  assert.equal(spelled, `${text}\n The end`);
  assert.equal(spelled.slice(starts[0], ends[0]), bpe.decodeText([ids[0]]));
  // Without <eos> the same ids label exactly as the text they encode does.
  const plain = bpe.encodeText(text);
  assert.deepEqual(
    [...labelIds(bpe, plain, labels)],
    [...encodeWithBlocks(bpe, text, labels).blocks],
  );
  const blocks = labelIds(bpe, ids, labels);
  assert.equal(labels.names[blocks[plain.length]], "punctuation"); // <eos>
  const word = WordTokenizer.fromSentences([tokenizeWords(text)]);
  const wordIds = word.encode(tokenizeWords(text));
  const wordBlocks = labelIds(word, wordIds, labels);
  const book = word.idOf("book");
  assert.deepEqual(
    [...wordIds.keys()].filter((i) => wordIds[i] === book).map((i) => labels.names[wordBlocks[i]]),
    ["verb", "noun"],
  );
});

test("a lexicon stored with data or a model labels text as the parsed one did", () => {
  const lexicon = parseLexicon(
    '{"time": ["at dawn", "evening"], "food": ["fish soup"]}',
    "l.json",
    "other",
  );
  const stored = storedLexicon(lexicon);
  const again = lexiconFromStored(JSON.parse(JSON.stringify(stored)), "l.json");
  assert.deepEqual(again.names, lexicon.names);
  const labels = recordedLabels("lexicon:l.json", stored);
  assert.ok(labels);
  assert.equal(labels.source, "lexicon:l.json");
  const phrase = "We left at dawn and ate fish soup, then fish soup again at dawn.";
  const words = labels.label(phrase);
  const named = words.spans.map(
    ([s, e], i) => `${phrase.slice(s, e)}:${labels.names[words.blocks[i]]}`,
  );
  assert.deepEqual(
    named.filter((w) => !w.endsWith(":other")),
    [
      "at:time",
      "dawn:time",
      "fish:food",
      "soup:food",
      "fish:food",
      "soup:food",
      "at:time",
      "dawn:time",
    ],
  );
  assert.equal(recordedLabels("lexicon:l.json"), undefined); // saved without its phrases
  assert.equal(recordedLabels("pos"), undefined);
  assert.equal(recordedLabels("tagger")?.source, "tagger");
});
