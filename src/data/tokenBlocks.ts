/**
 * Blocks per token occurrence: text is labelled word by word (the tagger's classes, a lexicon's
 * concept blocks, or Brown's gold classes), and every token — a word, a character or a BPE
 * subword — takes the block of the word it belongs to: the word holding the token's first
 * non-space character. A token with no word (spaces, a line break, `<eos>`) takes the layout
 * block: `punctuation` where the blocks have it, else `other`. Browser-safe.
 */
import { check } from "../engine/errors.js";
import { COARSE_CLASSES } from "./brownTags.js";
import {
  lexiconBlocks,
  lexiconFromStored,
  storedLexicon,
  type Lexicon,
  type StoredLexicon,
} from "./lexicon.js";
import { tagText } from "./tagger.js";
import { BPE_OFFSET, EOS_ID, SPECIAL_TOKENS, type AnyTokenizer } from "./tokenizer.js";
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
  /** The lexicon whose phrases are matched (lexicon blocks), to store with the data and models. */
  lexicon?: StoredLexicon;
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

/** A lexicon's concept blocks, other words by the tagger's class or `other` (./lexicon.ts). */
export function lexiconLabels(lexicon: Lexicon): BlockLabels {
  return {
    source: `lexicon:${lexicon.name}`,
    names: lexicon.names,
    lexicon: storedLexicon(lexicon),
    label(text) {
      const words = tagText(text);
      return {
        spans: words.map((w) => [w.start, w.end] as const),
        blocks: lexiconBlocks(lexicon, text, words),
      };
    },
  };
}

/**
 * The labeller of blocks recorded with a model or a prepared folder, so new text is labelled as
 * its training data was: `tagger`, or `lexicon:NAME` with the lexicon's stored phrases; undefined
 * for any other source (Brown's gold tags, a block file, a lexicon model saved without phrases).
 */
export function recordedLabels(source: string, lexicon?: StoredLexicon): BlockLabels | undefined {
  if (source === "tagger") return taggerLabels();
  if (source.startsWith("lexicon:") && lexicon)
    return lexiconLabels(lexiconFromStored(lexicon, source.slice("lexicon:".length)));
  return undefined;
}

/** Text labelled word by word in its sentences, each token in its word's block. */
export interface OccurrenceLabeller {
  /** The labeller's block names, which its block ids index. */
  names: readonly string[];
  /** Typed text as the tokenizer reads it (no `<eos>` added), with the block of every token. */
  encode(text: string): { ids: Int32Array; blocks: Uint8Array };
  /** The block of every token of a sequence, from labelling the text it spells. */
  blocksOf(ids: ArrayLike<number>): Uint8Array;
}

/**
 * The labeller of a model's blocks per occurrence over its tokenizer: the tagger, or a lexicon
 * stored with the model (`recordedLabels`); undefined for blocks new text cannot be labelled
 * with. What the model object labels text with: on Node through its services, in the Lab's
 * worker imported on demand (this module brings the tagger's model with it).
 */
export function occurrenceLabeller(
  source: string,
  lexicon: StoredLexicon | undefined,
  tokenizer: AnyTokenizer,
): OccurrenceLabeller | undefined {
  const labels = recordedLabels(source, lexicon);
  if (!labels) return undefined;
  return {
    names: labels.names,
    encode: (text) => encodeWithBlocks(tokenizer, text, labels),
    blocksOf: (ids) => labelIds(tokenizer, ids, labels),
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
 * The text a token sequence spells, with each token's span in it: words and characters as
 * generation prints them (words spaced), BPE tokens' bytes decoded in a stream (a character cut
 * between tokens belongs to the token that completes it); `<eos>` is a line break.
 */
export function spelledText(
  tokenizer: AnyTokenizer,
  ids: ArrayLike<number>,
): { text: string; starts: Int32Array; ends: Int32Array } {
  const starts = new Int32Array(ids.length);
  const ends = new Int32Array(ids.length);
  const decoder = new TextDecoder("utf-8");
  const words = tokenizer.kind === "bpe" ? [] : tokenizer.decode(ids);
  let text = "";
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    let piece: string;
    if (id === EOS_ID) piece = (tokenizer.kind === "bpe" ? decoder.decode() : "") + "\n";
    else if (tokenizer.kind === "bpe")
      piece =
        id < BPE_OFFSET
          ? decoder.decode() + SPECIAL_TOKENS[id]
          : decoder.decode(tokenizer.bpe.pieceBytes[id - BPE_OFFSET], { stream: true });
    else piece = (tokenizer.kind === "word" && i > 0 ? " " : "") + words[i];
    starts[i] = text.length;
    text += piece;
    ends[i] = text.length;
  }
  return { text, starts, ends };
}

/**
 * The block of every token of a sequence, by labelling the text it spells (spelledText): each
 * token in the block of the word holding its first non-space character, in that word's sentence.
 * What generation uses for the text so far (src/lm/localistModel.ts).
 */
export function labelIds(
  tokenizer: AnyTokenizer,
  ids: ArrayLike<number>,
  labels: BlockLabels,
): Uint8Array {
  const { text, starts, ends } = spelledText(tokenizer, ids);
  return spanBlocks(text, starts, ends, labels.label(text), layoutBlock(labels.names));
}
