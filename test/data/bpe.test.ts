import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import fc from "fast-check";
import { encode as r50kEncode } from "gpt-tokenizer/encoding/r50k_base";
import { brownSentenceWords, loadBrown, splitBrownDocuments } from "../../src/data/brown.js";
import { BYTE_SYMBOLS, countChunks, preTokenize, trainBpe } from "../../src/data/bpe.js";
import { BpeTokenizer, tokenizerFromJSON, UNK_ID } from "../../src/data/tokenizer.js";
import { LocalistError } from "../../src/engine/errors.js";

const TEXT = [
  "The cat sat on the mat. The cat's hat is flat; the dog's isn't.",
  "Thé café — naïve façade, 1234 numbers and 56789 more!",
  "Emoji 🙂🙃 and CJK 漢字 mixed in with plain words, words, words.",
].join("\n");

/**
 * GPT-2's ranks as gpt-tokenizer ships them (data/r50k_base.tiktoken: base64 bytes, rank): the
 * 256 single bytes and 50 000 merged tokens, rank = merge order.
 */
function r50kRanks(): { tokens: Uint8Array[]; rankOf: Map<string, number> } {
  const require = createRequire(import.meta.url);
  const root = path.dirname(path.dirname(require.resolve("gpt-tokenizer/encoding/r50k_base")));
  const file = path.join(path.dirname(root), "data", "r50k_base.tiktoken");
  const tokens: Uint8Array[] = [];
  const rankOf = new Map<string, number>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    if (!line) continue;
    const [base64, rank] = line.split(" ");
    const bytes = Uint8Array.from(Buffer.from(base64, "base64"));
    tokens[Number(rank)] = bytes;
    rankOf.set(Buffer.from(bytes).toString("latin1"), Number(rank));
  }
  return { tokens, rankOf };
}

/**
 * GPT-2's merges recovered from the ranks (as tiktoken's educational module does): a token of rank
 * r is the merge of the two parts its bytes reduce to when only ranks below r may merge.
 */
function gpt2Merges(): { merges: Int32Array; rankOfPiece: Int32Array } {
  const { tokens, rankOf } = r50kRanks();
  const key = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1");
  const pieceOfRank = new Int32Array(tokens.length);
  const rankOfPiece = new Int32Array(tokens.length);
  const merges: number[] = [];
  tokens.forEach((bytes, rank) => {
    if (bytes.length === 1) {
      pieceOfRank[rank] = bytes[0];
      rankOfPiece[bytes[0]] = rank;
      return;
    }
    let parts = Array.from(bytes, (b) => Uint8Array.of(b));
    for (;;) {
      let best = -1;
      let bestRank = Infinity;
      for (let i = 0; i + 1 < parts.length; i++) {
        const joined = rankOf.get(key(Buffer.concat([parts[i], parts[i + 1]])));
        if (joined !== undefined && joined < rank && joined < bestRank) {
          bestRank = joined;
          best = i;
        }
      }
      if (best < 0) break;
      parts = [
        ...parts.slice(0, best),
        Buffer.concat([parts[best], parts[best + 1]]),
        ...parts.slice(best + 2),
      ];
    }
    assert.equal(parts.length, 2, `rank ${rank} reduces to two parts`);
    const piece = 256 + merges.length / 2;
    pieceOfRank[rank] = piece;
    rankOfPiece[piece] = rank;
    merges.push(
      pieceOfRank[rankOf.get(key(parts[0])) as number],
      pieceOfRank[rankOf.get(key(parts[1])) as number],
    );
  });
  return { merges: Int32Array.from(merges), rankOfPiece };
}

test("encoding with GPT-2's merges equals gpt-tokenizer's r50k_base on 3000 Brown sentences", () => {
  const { merges, rankOfPiece } = gpt2Merges();
  assert.equal(merges.length / 2, 50000);
  const tokenizer = BpeTokenizer.fromMerges(merges);
  assert.equal(tokenizer.vocabSize, 2 + 50256);
  const sentences = brownSentenceWords(splitBrownDocuments(loadBrown()).test)
    .slice(0, 3000)
    .map((words) => words.join(" "));
  sentences.push(TEXT, "  leading and trailing spaces  \n\n\ttabs\r\n", "'s 're 've 'll don't");
  let tokens = 0;
  for (const sentence of sentences) {
    const ours = Array.from(tokenizer.encodeText(sentence), (id) => rankOfPiece[id - 2]);
    assert.deepEqual(ours, r50kEncode(sentence), sentence);
    tokens += ours.length;
  }
  assert.ok(tokens > 60000, `${tokens} tokens compared`);
});

test("decode ∘ encode is the identity on any Unicode string (astral characters included)", () => {
  const tokenizer = BpeTokenizer.fromText(TEXT, { maxVocab: 300 });
  fc.assert(
    fc.property(
      fc.oneof(fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }), fc.string()),
      (text) => {
        const ids = tokenizer.encodeText(text);
        assert.ok(!ids.includes(UNK_ID));
        assert.equal(tokenizer.decodeText(ids), text);
      },
    ),
    { numRuns: 2000 },
  );
});

test("spans: each token covers the characters of its bytes, in order", () => {
  const tokenizer = BpeTokenizer.fromText(TEXT, { maxVocab: 320 });
  const text = "A naïve 🙂 cat, 漢字!";
  const { ids, starts, ends } = tokenizer.encodeSpans(text);
  assert.deepEqual([...ids], [...tokenizer.encodeText(text)]);
  for (let i = 0; i < ids.length; i++) {
    assert.ok(starts[i] < ends[i] && (i === 0 || starts[i] >= starts[i - 1]));
    const piece = tokenizer.decodeText([ids[i]]);
    // A token of whole characters spells exactly its span.
    if (!piece.includes("\uFFFD")) assert.equal(text.slice(starts[i], ends[i]), piece);
  }
  assert.equal(starts[0], 0);
  assert.equal(ends[ids.length - 1], text.length);
  const emoji = text.indexOf("🙂");
  const covering = [...ids.keys()].filter((i) => starts[i] <= emoji && ends[i] > emoji);
  for (const i of covering) assert.ok(ends[i] >= emoji + 2, "an astral character is whole");
});

test("training is deterministic, order-free and learns frequent pairs first", () => {
  const counts = countChunks(TEXT);
  const reversed = new Map([...counts].reverse());
  const a = trainBpe(counts, 30);
  const b = trainBpe(reversed, 30);
  assert.deepEqual([...a.merges], [...b.merges]);
  // " the"/"The"-free check by hand: the most frequent pair in the text is merged first.
  const pairs = new Map<string, number>();
  for (const [chunk, count] of counts) {
    const bytes = new TextEncoder().encode(chunk);
    for (let i = 0; i + 1 < bytes.length; i++) {
      const key = `${bytes[i]},${bytes[i + 1]}`;
      pairs.set(key, (pairs.get(key) ?? 0) + count);
    }
  }
  const top = [...pairs].sort(
    (x, y) =>
      y[1] - x[1] ||
      Number(x[0].split(",")[0]) - Number(y[0].split(",")[0]) ||
      Number(x[0].split(",")[1]) - Number(y[0].split(",")[1]),
  )[0][0];
  assert.equal(`${a.merges[0]},${a.merges[1]}`, top);
  // Encoding a training chunk never yields more pieces than its bytes, and merges shorten text.
  assert.ok(a.encode(TEXT).length < new TextEncoder().encode(TEXT).length);
});

test("a small corpus stops early: no merge of a pair seen once", () => {
  const tokenizer = BpeTokenizer.fromText("ab", { maxVocab: 1000 });
  assert.equal(tokenizer.vocabSize, 258);
  assert.throws(
    () => BpeTokenizer.fromText("ab", { maxVocab: 100 }),
    /maxVocab must be an integer ≥ 258/,
  );
});

test("JSON round trip; the tokens are GPT-2's byte stand-ins; malformed JSON is one line", () => {
  const tokenizer = BpeTokenizer.fromText(TEXT, { maxVocab: 320 });
  const json = tokenizer.toJSON();
  assert.equal(json.kind, "bpe");
  assert.equal(json.tokens.length, tokenizer.vocabSize);
  assert.equal(json.tokens[2 + 32], "Ġ"); // the space byte
  assert.equal(json.tokens[2 + 65], "A");
  assert.equal(BYTE_SYMBOLS.length, 256);
  const back = tokenizerFromJSON(JSON.stringify(json));
  assert.ok(back instanceof BpeTokenizer);
  assert.deepEqual([...back.encodeText(TEXT)], [...tokenizer.encodeText(TEXT)]);
  const broken = structuredClone(json);
  broken.merges?.push([5000, 3]);
  broken.tokens.push("x");
  assert.throws(
    () => tokenizerFromJSON(broken),
    (error: unknown) =>
      error instanceof LocalistError &&
      /^malformed tokenizer JSON: BPE merge \d+ joins \(\d+, \d+\) but only pieces below/.test(
        error.message,
      ),
  );
  const respelled = structuredClone(json);
  const last = respelled.tokens.length - 1;
  assert.ok(last >= 270, "the text gives merges to check");
  respelled.tokens[last] = "zz";
  assert.throws(
    () => tokenizerFromJSON(respelled),
    new RegExp(`token ${last} must spell its merge`),
  );
  assert.throws(
    () => tokenizerFromJSON({ ...json, merges: undefined }),
    /a bpe tokenizer needs its merges/,
  );
});

test("pre-tokenization is GPT-2's: chunks concatenate to the text", () => {
  const text = "I'm here, aren't you?  42 cats\n\nend";
  const chunks = preTokenize(text);
  assert.equal(chunks.join(""), text);
  assert.deepEqual(chunks.slice(0, 4), ["I", "'m", " here", ","]);
});

test("a text corpus with the bpe tokenizer: streams without <unk>, sentences decode back", async () => {
  const { mkdtempSync, writeFileSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const { loadLmCorpus } = await import("../../src/data/lmCorpus.js");
  const folder = mkdtempSync(path.join(tmpdir(), "localist-bpe-"));
  const file = path.join(folder, "text.txt");
  writeFileSync(file, `${TEXT}\n`.repeat(10));
  const corpus = loadLmCorpus({ corpus: file, tokenizer: "bpe", maxVocab: 400 });
  assert.equal(corpus.tokenizer.kind, "bpe");
  for (const split of [corpus.train, corpus.valid, corpus.test]) assert.ok(!split.includes(UNK_ID));
  const text = (corpus.tokenizer as BpeTokenizer).decodeText(corpus.train);
  assert.ok(text.startsWith("The cat sat on the mat .<eos>"), text.slice(0, 40));
});
