/**
 * Blocks per token occurrence: text is labelled word by word (the tagger's classes, a lexicon's
 * concept blocks, or Brown's gold classes), and every token — a word, a character or a BPE
 * subword — takes the block of the word it belongs to: the word holding the token's first
 * non-space character. A token with no word (spaces, a line break, `<eos>`) takes the layout
 * block: `punctuation` where the blocks have it, else `other`. Browser-safe, and free of the
 * lexicon reader (./lexicon.ts, whose CSV parser needs Node's Buffer), so the Lab's worker can
 * load it for the tagger alone.
 */
import { check } from "../engine/errors.js";
import { COARSE_CLASSES } from "./brownTags.js";
import { tagText } from "./tagger.js";
import { EOS_ID, type AnyTokenizer } from "./tokenizer.js";
import { sentenceSpans, WORD_TOKENS, type Span } from "./words.js";

/** Words of a text with their block ids. */
export interface LabelledWords {
  spans: Span[];
  blocks: Uint8Array;
}

/** Where blocks come from: their names and a labeller of the words of any text. */
export interface BlockLabels {
  /** Recorded in a prepared folder's manifest: `tagger`, `lexicon:NAME` or `pos`. */
  source: string;
  /** The block names, in block-id order. */
  names: readonly string[];
  /** The words of a text with their character spans and block ids. */
  label(text: string): LabelledWords;
}

/** The tagger's coarse classes, per occurrence (./tagger.ts). */
export function taggerLabels(): BlockLabels {
  const index = new Map(COARSE_CLASSES.map((c, i) => [c, i]));
  return {
    source: "tagger",
    names: COARSE_CLASSES,
    label(text) {
      const words = tagText(text);
      return {
        spans: words.map((w) => [w.start, w.end] as const),
        blocks: Uint8Array.from(words, (w) => index.get(w.coarse) as number),
      };
    },
  };
}

/** The block of tokens that belong to no word: `punctuation` if named, else `other`. */
export function layoutBlock(names: readonly string[]): number {
  const punctuation = names.indexOf("punctuation");
  const index = punctuation >= 0 ? punctuation : names.indexOf("other");
  check(index >= 0, "blocks for text need a `punctuation` or `other` block for spaces and <eos>");
  return index;
}

const SPACE = /\s/u;

/**
 * The block of each token span [starts[i], ends[i]) of `text`: the block of the word holding the
 * span's first non-space character, else `layout`. Spans and words are both in text order.
 */
export function spanBlocks(
  text: string,
  starts: ArrayLike<number>,
  ends: ArrayLike<number>,
  words: LabelledWords,
  layout: number,
): Uint8Array {
  const blocks = new Uint8Array(starts.length);
  let w = 0;
  for (let i = 0; i < starts.length; i++) {
    let at = starts[i];
    while (at < ends[i] && SPACE.test(text[at])) at++;
    if (at >= ends[i]) {
      blocks[i] = layout;
      continue;
    }
    while (w < words.spans.length && words.spans[w][1] <= at) w++;
    const inside = w < words.spans.length && words.spans[w][0] <= at;
    blocks[i] = inside ? words.blocks[w] : layout;
  }
  return blocks;
}

/** Token ids of one unit (a sentence, a paragraph), ending with `<eos>`, and their blocks. */
export interface EncodedUnit {
  ids: Int32Array;
  blocks?: Uint8Array;
}

/**
 * A sentence of words (with a block per word, or none) as tokens ending in `<eos>`: the words
 * themselves for a word tokenizer; for char and bpe, the words joined by single spaces (as
 * ./corpusEntry.ts encodes sentences), each token in its word's block and spaces in `layout`.
 */
export function encodeSentence(
  tokenizer: AnyTokenizer,
  words: readonly string[],
  wordBlocks: Uint8Array | undefined,
  layout: number,
): EncodedUnit {
  if (tokenizer.kind === "word") {
    const ids = new Int32Array(words.length + 1);
    ids.set(tokenizer.encode(words));
    ids[words.length] = EOS_ID;
    if (!wordBlocks) return { ids };
    const blocks = new Uint8Array(words.length + 1);
    blocks.set(wordBlocks);
    blocks[words.length] = layout;
    return { ids, blocks };
  }
  const text = words.join(" ");
  const spans: Span[] = [];
  let at = 0;
  for (const word of words) {
    spans.push([at, at + word.length]);
    at += word.length + 1;
  }
  const labelled = wordBlocks ? { spans, blocks: wordBlocks } : undefined;
  return encodeText(tokenizer, text, labelled, layout);
}

/**
 * Text as tokens ending in `<eos>`, with blocks from labelled words when given: a char tokenizer
 * spells code points, a bpe one its subwords (a word tokenizer takes sentences: encodeSentence).
 */
export function encodeText(
  tokenizer: AnyTokenizer,
  text: string,
  words: LabelledWords | undefined,
  layout: number,
): EncodedUnit {
  check(tokenizer.kind !== "word", "a word tokenizer encodes sentences of words, not raw text");
  if (!words) {
    // No blocks: the ids alone, without the spans' bookkeeping.
    const ids =
      tokenizer.kind === "bpe" ? tokenizer.encodeText(text) : tokenizer.encode(Array.from(text));
    const out = new Int32Array(ids.length + 1);
    out.set(ids);
    out[ids.length] = EOS_ID;
    return { ids: out };
  }
  let ids: Int32Array;
  let starts: Int32Array;
  let ends: Int32Array;
  if (tokenizer.kind === "bpe") ({ ids, starts, ends } = tokenizer.encodeSpans(text));
  else {
    const chars = Array.from(text);
    ids = tokenizer.encode(chars);
    starts = new Int32Array(chars.length);
    ends = new Int32Array(chars.length);
    let at = 0;
    chars.forEach((char, i) => {
      starts[i] = at;
      ends[i] = at += char.length;
    });
  }
  const out = new Int32Array(ids.length + 1);
  out.set(ids);
  out[ids.length] = EOS_ID;
  const blocks = new Uint8Array(ids.length + 1);
  blocks.set(spanBlocks(text, starts, ends, words, layout));
  blocks[ids.length] = layout;
  return { ids: out, blocks };
}

/**
 * Any text as a model's tokenizer reads it (words by tokenizeWords for a word tokenizer, code
 * points for char, subwords for bpe; no `<eos>` added), with each token's block from `labels`:
 * the blocks per occurrence for explain, check and generate prompts.
 */
export function encodeWithBlocks(
  tokenizer: AnyTokenizer,
  text: string,
  labels: BlockLabels,
): { ids: Int32Array; blocks: Uint8Array } {
  const words = labels.label(text);
  const layout = layoutBlock(labels.names);
  if (tokenizer.kind === "word") {
    const spans = [...text.matchAll(WORD_TOKENS)];
    const starts = spans.map((m) => m.index);
    const ends = spans.map((m) => m.index + m[0].length);
    return {
      ids: tokenizer.encode(spans.map((m) => m[0])),
      blocks: spanBlocks(text, starts, ends, words, layout),
    };
  }
  const { ids, blocks } = encodeText(tokenizer, text, words, layout);
  return {
    ids: ids.subarray(0, ids.length - 1),
    blocks: (blocks as Uint8Array).subarray(0, ids.length - 1),
  };
}

/**
 * The sentences of one line of a user's text (./words.ts sentenceSpans), each with the block of
 * every word when `labels` are given: the line is labelled whole, so each word's block comes from
 * its own sentence.
 */
export function labelSentences(
  line: string,
  labels: BlockLabels | undefined,
): { words: string[]; blocks?: Uint8Array }[] {
  const sentences = sentenceSpans(line);
  if (sentences.length === 0) return [];
  const labelled = labels?.label(line);
  const layout = labels ? layoutBlock(labels.names) : 0;
  return sentences.map((spans) => {
    const words = spans.map(([start, end]) => line.slice(start, end));
    if (!labelled) return { words };
    const blocks = spanBlocks(
      line,
      spans.map((s) => s[0]),
      spans.map((s) => s[1]),
      labelled,
      layout,
    );
    return { words, blocks };
  });
}

/**
 * Typed text with the tagger's block for every token, for a model whose blocks source is
 * "tagger", with the tagger's block names; undefined for any other source. What the model object
 * labels typed text with (installed on Node; the Lab's worker imports this module on demand).
 */
export function encodeWithTagger(
  source: string,
  tokenizer: AnyTokenizer,
  text: string,
): { ids: Int32Array; blocks: Uint8Array; names: readonly string[] } | undefined {
  if (source !== "tagger") return undefined;
  const labels = taggerLabels();
  return { ...encodeWithBlocks(tokenizer, text, labels), names: labels.names };
}
