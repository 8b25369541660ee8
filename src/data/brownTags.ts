/**
 * The Brown corpus without the files: its tagged tokens and documents, the coarse word classes of
 * its tags, the parser of one document and the split by document. Browser-safe (no Node modules);
 * ./brown.ts reads the corpus from the installed package.
 */
import { check, LocalistError } from "../engine/errors.js";
/** One tagged token of the Brown corpus, e.g. `The/at` → `{ word: "The", tag: "at" }`. */
export interface BrownToken {
  word: string;
  tag: string;
}

/** One of the 500 Brown documents: its file id (e.g. `ca01`), its genre from cats.txt and its sentences. */
export interface BrownDocument {
  id: string;
  genre: string;
  sentences: BrownToken[][];
}

/** The whole Brown corpus, documents sorted by id. */
export interface BrownCorpus {
  documents: BrownDocument[];
}

/** A train/valid/test partition of some items (documents or sentences). */
export interface CorpusSplit<T> {
  train: T[];
  valid: T[];
  test: T[];
}

/** Fractions of the items held out for validation and test; the rest is training data. */
export interface SplitFractions {
  valid?: number;
  test?: number;
}

/** A coarse word class that groups the 80-odd Brown tags. */
export type CoarseClass =
  | "noun"
  | "verb"
  | "adjective-adverb"
  | "determiner-pronoun"
  | "preposition-conjunction"
  | "punctuation"
  | "other";

/** Every coarse class, in a fixed order. */
export const COARSE_CLASSES: readonly CoarseClass[] = [
  "noun",
  "verb",
  "adjective-adverb",
  "determiner-pronoun",
  "preposition-conjunction",
  "punctuation",
  "other",
];

const PUNCTUATION_TAGS = new Set([".", ",", ":", ";", "(", ")", "'", "''", "`", "``", "--"]);

/** Coarse classes by base tag: first matching rule wins, unmatched tags are "other". */
const COARSE_RULES: ReadonlyArray<readonly [CoarseClass, RegExp]> = [
  ["noun", /^(?:nn|np|nr)/],
  ["verb", /^(?:vb|be|do|hv)|^md$/],
  ["adjective-adverb", /^(?:jj|rb|ql|ap)/],
  ["determiner-pronoun", /^(?:dt|pp|wp|pn)|^(?:at|wdt|abn|abx|ex)$/],
  ["preposition-conjunction", /^(?:in|cc|cs|to)$/],
];

/**
 * The part of a Brown tag that carries the word class: lowercased, without the `fw-` (foreign word)
 * prefix, the first part of a compound (`nn+bez` → `nn`), without `-tl`/`-hl`/`-nc` suffixes and
 * without `*` negation marks (`md*` → `md`; the bare negator tag `*` stays `*`).
 */
export function baseTag(tag: string): string {
  let base = tag.toLowerCase();
  if (base.startsWith("fw-")) base = base.slice(3);
  base = base.split("+")[0];
  base = base.replace(/(?:-(?:tl|hl|nc))+$/, "");
  if (base !== "*") base = base.replace(/\*+$/, "");
  return base;
}

/**
 * The coarse class of a Brown tag, by prefix of its base tag: nn*, np*, nr* → noun; vb*, be*, do*,
 * hv*, md → verb; jj*, rb*, ql*, ap* → adjective-adverb; at, dt*, pp*, wp*, pn*, wdt, abn, abx, ex →
 * determiner-pronoun; in, cc, cs, to → preposition-conjunction; . , : ; ( ) ' '' ` `` -- →
 * punctuation; everything else (cd, od, rp, rn, wrb, wql, abl, uh, nil, the negator *) → other.
 */
export function coarseTag(tag: string): CoarseClass {
  const base = baseTag(tag);
  if (PUNCTUATION_TAGS.has(base)) return "punctuation";
  for (const [coarse, pattern] of COARSE_RULES) if (pattern.test(base)) return coarse;
  return "other";
}

/** Sentences of one Brown file: one sentence per non-blank line, tokens `word/tag` split at the last `/`. */
export function parseBrownDocument(text: string, id: string): BrownToken[][] {
  const sentences: BrownToken[][] = [];
  for (const line of text.split("\n")) {
    const fields = line.trim();
    if (fields === "") continue;
    const sentence: BrownToken[] = [];
    for (const item of fields.split(/\s+/)) {
      const slash = item.lastIndexOf("/");
      check(slash > 0, () => `Brown document ${id} has a token without a tag: ${item}`);
      sentence.push({ word: item.slice(0, slash), tag: item.slice(slash + 1) });
    }
    sentences.push(sentence);
  }
  return sentences;
}

/** Each sentence of the documents as its list of words (tags dropped), in document order. */
export function brownSentenceWords(documents: readonly BrownDocument[]): string[][] {
  const sentences: string[][] = [];
  for (const document of documents)
    for (const sentence of document.sentences) sentences.push(sentence.map((token) => token.word));
  return sentences;
}

/** The number of tokens (words and punctuation) in the documents. */
export function countBrownTokens(documents: readonly BrownDocument[]): number {
  let count = 0;
  for (const document of documents)
    for (const sentence of document.sentences) count += sentence.length;
  return count;
}

/** The valid and test fractions with defaults 0.05 each, checked: both in [0, 1) and valid + test < 1. */
export function resolveSplitFractions(fractions: SplitFractions = {}): Required<SplitFractions> {
  const { valid = 0.05, test = 0.05 } = fractions;
  for (const [name, value] of [
    ["valid", valid],
    ["test", test],
  ] as const)
    check(
      Number.isFinite(value) && value >= 0 && value < 1,
      `${name} must be a fraction in [0, 1), got ${String(value)}`,
    );
  check(valid + test < 1, `valid + test must be below 1, got ${valid + test}`);
  return { valid, test };
}

/** The smallest period P ≤ 1000 with valid·P and test·P whole numbers (20 for 5%/5%). */
function splitPeriod(valid: number, test: number): number {
  const whole = (x: number) => Math.abs(x - Math.round(x)) < 1e-9;
  for (let period = 1; period <= 1000; period++)
    if (whole(valid * period) && whole(test * period)) return period;
  throw new LocalistError(
    `valid (${valid}) and test (${test}) fractions must be multiples of 1/P for some P ≤ 1000`,
  );
}

/**
 * A deterministic, interleaved split by document: sort documents by id, take the period P (20 for
 * the default 5%/5%) and put document i in test when i mod P ≥ P − test·P, in valid when
 * i mod P ≥ P − (valid + test)·P, else in train. With the defaults this is i mod 20 = 18 → valid and
 * i mod 20 = 19 → test; since ids are ordered by genre (ca01 … cr09), every genre is represented.
 */
export function splitBrownDocuments(
  corpus: BrownCorpus,
  fractions: SplitFractions = {},
): CorpusSplit<BrownDocument> {
  const { valid, test } = resolveSplitFractions(fractions);
  const period = splitPeriod(valid, test);
  const testStart = period - Math.round(test * period);
  const validStart = testStart - Math.round(valid * period);
  const sorted = [...corpus.documents].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const split: CorpusSplit<BrownDocument> = { train: [], valid: [], test: [] };
  sorted.forEach((document, index) => {
    const slot = index % period;
    const part = slot >= testStart ? "test" : slot >= validStart ? "valid" : "train";
    split[part].push(document);
  });
  return split;
}
