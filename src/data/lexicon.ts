/**
 * Concept blocks from a lexicon: a user's list of block → words and multi-word phrases, matched on
 * the words of a text (longest phrase first, case-insensitive), every other word falling back to
 * its tagger class (./tagger.ts) or to `other`. Browser-safe (the Lab's worker matches a stored
 * lexicon's phrases with it); reading a lexicon file, JSON or CSV, is ./lexiconFile.ts's.
 */
import { check, LocalistError } from "../engine/errors.js";
import { COARSE_CLASSES, type CoarseClass } from "./brownTags.js";
import { tagText, type TaggedWord } from "./tagger.js";

/** Most blocks a prepared folder can hold (block ids are stored as bytes). */
export const MAX_BLOCKS = 256;

/** What a word outside every phrase gets: its tagger class, or `other`. */
export type LexiconFallback = "tagger" | "other";

/** A parsed lexicon: block names (lexicon blocks first, then the fallback classes) and phrases. */
export interface Lexicon {
  /** Where it came from, for messages and the manifest (`lexicon:NAME`). */
  name: string;
  names: string[];
  fallback: LexiconFallback;
  /** The phrases of each lexicon block as given, e.g. to store with a model (JSON form). */
  phrases: Record<string, string[]>;
  /** Phrase trie: lowercased word → child; `block` where a phrase ends. */
  trie: TrieNode;
}

interface TrieNode {
  block?: number;
  next: Map<string, TrieNode>;
}

/** The words of a phrase as the tagger splits text (so "don't" is "do" + "n't" on both sides). */
function phraseWords(phrase: string): string[] {
  return tagText(phrase).map((w) => phrase.slice(w.start, w.end).toLowerCase());
}

/** The keys of the top-level object of a JSON text, in order, repeats kept (JSON.parse drops them). */
function topLevelKeys(text: string): string[] {
  const keys: string[] = [];
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === "\\" ? 2 : 1;
      const literal = text.slice(i, j + 1);
      i = j;
      if (depth === 1) {
        let k = j + 1;
        while (/\s/.test(text[k] ?? "")) k++;
        if (text[k] === ":") keys.push(JSON.parse(literal) as string);
      }
    } else if (c === "{" || c === "[") depth++;
    else if (c === "}" || c === "]") depth--;
  }
  return keys;
}

/** (block, phrase) pairs of a JSON lexicon, with one-line errors. */
export function jsonLexiconEntries(text: string, name: string): [string, string][] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new LocalistError(`lexicon ${name} is not valid JSON (${(error as Error).message})`);
  }
  check(
    typeof value === "object" && value !== null && !Array.isArray(value),
    `lexicon ${name} must be a JSON object {"block": ["word", "multi word phrase", …]}`,
  );
  const seen = new Set<string>();
  for (const key of topLevelKeys(text)) {
    check(!seen.has(key), `lexicon ${name} names block "${key}" twice; list each block once`);
    seen.add(key);
  }
  const entries: [string, string][] = [];
  for (const [block, phrases] of Object.entries(value)) {
    check(
      Array.isArray(phrases) && phrases.every((p) => typeof p === "string"),
      `lexicon ${name}: block "${block}" must be a list of words and phrases`,
    );
    for (const phrase of phrases as string[]) entries.push([block, phrase]);
  }
  return entries;
}

/** A lexicon as stored with a prepared folder and a model: its phrases by block, its fallback. */
export interface StoredLexicon {
  fallback: LexiconFallback;
  phrases: Record<string, string[]>;
}

/** The stored form of a lexicon (what a model needs to match its phrases in new text). */
export function storedLexicon(lexicon: Lexicon): StoredLexicon {
  return { fallback: lexicon.fallback, phrases: lexicon.phrases };
}

/** A lexicon from its stored form (the same blocks in the same order); `name` names it in errors. */
export function lexiconFromStored(stored: StoredLexicon, name: string): Lexicon {
  const entries = Object.entries(stored.phrases).flatMap(([block, phrases]) =>
    phrases.map((phrase) => [block, phrase] as const),
  );
  return lexiconFromEntries(entries, name, stored.fallback);
}

/**
 * A lexicon from its (block, phrase) pairs, in order. Errors are one line: no phrases, a block
 * with no name, a phrase with no words, a phrase in two blocks, too many blocks.
 */
export function lexiconFromEntries(
  entries: readonly (readonly [string, string])[],
  name: string,
  fallback: LexiconFallback = "tagger",
): Lexicon {
  check(entries.length > 0, `lexicon ${name} lists no phrases; give at least one`);
  const names: string[] = [];
  const index = new Map<string, number>();
  const trie: TrieNode = { next: new Map() };
  const owner = new Map<string, string>();
  const phrases = new Map<string, string[]>();
  for (const [block, phrase] of entries) {
    check(block.trim() !== "", `lexicon ${name} has a block with an empty name`);
    const words = phraseWords(phrase);
    check(words.length > 0, `lexicon ${name}: "${phrase}" (block "${block}") has no words`);
    const key = words.join(" ");
    const previous = owner.get(key);
    if (previous === block) continue; // listed twice in one block: harmless
    check(
      previous === undefined,
      `lexicon ${name} puts "${phrase}" in two blocks, "${previous}" and "${block}"; give each phrase one block`,
    );
    owner.set(key, block);
    phrases.set(block, [...(phrases.get(block) ?? []), phrase]);
    if (!index.has(block)) {
      index.set(block, names.length);
      names.push(block);
    }
    let node = trie;
    for (const word of words) {
      let child = node.next.get(word);
      if (!child) node.next.set(word, (child = { next: new Map() }));
      node = child;
    }
    node.block = index.get(block);
  }
  const classes: readonly CoarseClass[] = fallback === "tagger" ? COARSE_CLASSES : ["other"];
  for (const coarse of classes) if (!index.has(coarse)) names.push(coarse);
  check(
    names.length <= MAX_BLOCKS,
    `lexicon ${name} makes ${names.length} blocks (with the fallback classes); at most ${MAX_BLOCKS} fit`,
  );
  return { name, names, fallback, phrases: Object.fromEntries(phrases), trie };
}

/**
 * The block of every tagged word of `text`: at each word the longest phrase of the lexicon that
 * starts there (case-insensitive, whole words), else the word's fallback class.
 */
export function lexiconBlocks(
  lexicon: Lexicon,
  text: string,
  words: readonly TaggedWord[],
): Uint8Array {
  const blocks = new Uint8Array(words.length);
  const classBlock = new Map(
    COARSE_CLASSES.map((c) => [
      c,
      lexicon.names.indexOf(lexicon.fallback === "tagger" ? c : "other"),
    ]),
  );
  const fallbackOf = (word: TaggedWord) => classBlock.get(word.coarse) as number;
  const lower = words.map((w) => text.slice(w.start, w.end).toLowerCase());
  for (let i = 0; i < words.length;) {
    let node: TrieNode | undefined = lexicon.trie;
    let best = -1;
    let bestBlock = 0;
    for (let j = i; j < words.length; j++) {
      node = node.next.get(lower[j]);
      if (!node) break;
      if (node.block !== undefined) {
        best = j;
        bestBlock = node.block;
      }
    }
    if (best < 0) {
      blocks[i] = fallbackOf(words[i]);
      i++;
    } else {
      blocks.fill(bestBlock, i, best + 1);
      i = best + 1;
    }
  }
  return blocks;
}
