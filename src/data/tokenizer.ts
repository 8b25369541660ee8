import { z } from "zod";
import { check, LocalistError } from "../engine/errors.js";
import { parseWith } from "../engine/validate.js";

/** Id of `<unk>`, the token for anything outside the vocabulary. */
export const UNK_ID = 0;
/** Id of `<eos>`, the end-of-sentence marker. */
export const EOS_ID = 1;
/** The special tokens, at ids 0 and 1 of every vocabulary. */
export const SPECIAL_TOKENS: readonly string[] = ["<unk>", "<eos>"];

/** Version of the tokenizer JSON format written by toJSON. */
export const TOKENIZER_JSON_VERSION = 1;

/** How a vocabulary is built: the most frequent `maxVocab − 2` tokens seen at least `minCount` times. */
export interface TokenizerOptions {
  /** Upper bound on vocabSize, the two special tokens included (word default 10000). */
  maxVocab?: number;
  /** Tokens seen fewer times than this become `<unk>` (default 1). */
  minCount?: number;
  /** Lowercase tokens when building and encoding (word default true, char default false). */
  lowercase?: boolean;
}

/** The serialized form of a tokenizer: `tokens[id]` is the string of token `id`. */
export interface TokenizerJSON {
  /** "word" or "char". */
  kind: "word" | "char";
  /** The format's version. */
  version: number;
  /** Whether text is lower-cased before lookup. */
  lowercase: boolean;
  /** The vocabulary by id (`<unk>` = 0, `<eos>` = 1). */
  tokens: string[];
}

/** A vocabulary mapping tokens to ids 0 … vocabSize − 1, with `<unk>` = 0 and `<eos>` = 1. */
export interface Tokenizer {
  /** "word" (whitespace-separated words) or "char" (Unicode code points). */
  readonly kind: "word" | "char";
  /** V, the number of ids, special tokens included. */
  readonly vocabSize: number;
  /** Ids of the tokens; a token outside the vocabulary becomes `<unk>` (id 0). */
  encode(tokens: readonly string[]): Int32Array;
  /** Token strings of the ids; an id outside [0, vocabSize) is an error. */
  decode(ids: ArrayLike<number>): string[];
  /**
   * The vocabulary and settings as JSON (what a checkpoint's tokenizer.json holds);
   * `tokenizerFromJSON` reads it back.
   */
  toJSON(): TokenizerJSON;
}

/** The vocabulary of counted tokens: count descending, ties by first appearance, capped and thresholded. */
function selectVocabulary(counts: Map<string, number>, options: Required<TokenizerOptions>) {
  const { maxVocab, minCount } = options;
  const kept = [...counts].filter(([, count]) => count >= minCount);
  kept.sort((a, b) => b[1] - a[1]); // stable: equal counts keep first-appearance order
  return [...SPECIAL_TOKENS, ...kept.slice(0, maxVocab - SPECIAL_TOKENS.length).map(([t]) => t)];
}

/** Options with defaults filled in and checked. */
function resolveOptions(options: TokenizerOptions, lowercaseDefault: boolean) {
  const { maxVocab = 10000, minCount = 1, lowercase = lowercaseDefault } = options;
  check(
    maxVocab === Infinity || (Number.isInteger(maxVocab) && maxVocab >= SPECIAL_TOKENS.length),
    `maxVocab must be an integer ≥ ${SPECIAL_TOKENS.length} (room for <unk> and <eos>), got ${String(maxVocab)}`,
  );
  check(
    Number.isInteger(minCount) && minCount >= 1,
    `minCount must be an integer ≥ 1, got ${String(minCount)}`,
  );
  return { maxVocab, minCount, lowercase };
}

const TOKENIZER_SCHEMA = z.object({
  kind: z.enum(["word", "char"]),
  version: z.literal(TOKENIZER_JSON_VERSION),
  lowercase: z.boolean(),
  tokens: z.array(z.string()),
});

/** Checks that `value` is tokenizer JSON of the given kind; throws a one-line LocalistError if not. */
function parseTokenizerJSON(value: unknown, kind?: "word" | "char"): TokenizerJSON {
  const fail = (why: string): never => {
    throw new LocalistError(`malformed tokenizer JSON: ${why}`);
  };
  let obj = value;
  if (typeof obj === "string") {
    try {
      obj = JSON.parse(obj) as unknown;
    } catch (error) {
      fail(`not valid JSON (${(error as Error).message})`);
    }
  }
  const record = parseWith(TOKENIZER_SCHEMA, obj, "malformed tokenizer JSON");
  if (kind && record.kind !== kind)
    fail(`expected a ${kind} tokenizer, got kind ${JSON.stringify(record.kind)}`);
  const list = record.tokens;
  SPECIAL_TOKENS.forEach((special, id) => {
    if (list[id] !== special)
      fail(`token ${id} must be "${special}", got ${JSON.stringify(list[id])}`);
  });
  const seen = new Set<string>();
  list.forEach((token, id) => {
    if (seen.has(token)) fail(`duplicate token ${JSON.stringify(token)} at id ${id}`);
    seen.add(token);
    if (record.kind === "char" && id >= SPECIAL_TOKENS.length && [...token].length !== 1)
      fail(`char token ${id} must be one character, got ${JSON.stringify(token)}`);
  });
  return {
    kind: record.kind as "word" | "char",
    version: TOKENIZER_JSON_VERSION,
    lowercase: record.lowercase as boolean,
    tokens: list,
  };
}

/** Shared vocabulary lookup: id ↔ token through an array and a map. */
abstract class VocabularyTokenizer implements Tokenizer {
  /** "word" (whitespace-separated words) or "char" (Unicode code points). */
  abstract readonly kind: "word" | "char";
  /** The vocabulary by id (`<unk>` = 0, `<eos>` = 1). */
  readonly tokens: readonly string[];
  /** Whether text is lower-cased before lookup. */
  readonly lowercase: boolean;
  private readonly ids: Map<string, number>;

  protected constructor(tokens: readonly string[], lowercase: boolean) {
    this.tokens = tokens;
    this.lowercase = lowercase;
    this.ids = new Map(tokens.map((token, id) => [token, id]));
  }

  /** V, the number of ids, special tokens included. */
  get vocabSize(): number {
    return this.tokens.length;
  }

  /** The id of one token (lowercased first when the tokenizer lowercases), `<unk>` = 0 if unknown. */
  idOf(token: string): number {
    return this.ids.get(this.lowercase ? token.toLowerCase() : token) ?? UNK_ID;
  }

  /** Ids of the tokens, unknown ones as `<unk>` = 0. */
  encode(tokens: readonly string[]): Int32Array {
    const ids = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) ids[i] = this.idOf(tokens[i]);
    return ids;
  }

  /** Token strings of the ids; an id outside [0, vocabSize) is an error. */
  decode(ids: ArrayLike<number>): string[] {
    const tokens: string[] = new Array<string>(ids.length);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      check(
        Number.isInteger(id) && id >= 0 && id < this.tokens.length,
        () => `token id ${id} is outside the vocabulary [0, ${this.tokens.length})`,
      );
      tokens[i] = this.tokens[id];
    }
    return tokens;
  }

  /**
   * The vocabulary and settings as JSON (what a checkpoint's tokenizer.json holds);
   * `tokenizerFromJSON` reads it back.
   */
  toJSON(): TokenizerJSON {
    return {
      kind: this.kind,
      version: TOKENIZER_JSON_VERSION,
      lowercase: this.lowercase,
      tokens: [...this.tokens],
    };
  }
}

/** A word-level vocabulary: `<unk>` = 0, `<eos>` = 1, then words by descending frequency. */
export class WordTokenizer extends VocabularyTokenizer {
  /** Always "word": whitespace-separated words. */
  readonly kind = "word" as const;

  private constructor(tokens: readonly string[], lowercase: boolean) {
    super(tokens, lowercase);
  }

  /** Builds the vocabulary from sentences (or any token streams), keeping the most frequent words. */
  static fromSentences(
    sentences: Iterable<readonly string[]>,
    options: TokenizerOptions = {},
  ): WordTokenizer {
    const resolved = resolveOptions(options, true);
    const counts = new Map<string, number>();
    for (const sentence of sentences)
      for (const raw of sentence) {
        const word = resolved.lowercase ? raw.toLowerCase() : raw;
        if (!SPECIAL_TOKENS.includes(word)) counts.set(word, (counts.get(word) ?? 0) + 1);
      }
    return new WordTokenizer(selectVocabulary(counts, resolved), resolved.lowercase);
  }

  /** One id stream for language modelling: each sentence's ids followed by `<eos>` = 1. */
  encodeSentences(sentences: Iterable<readonly string[]>): Int32Array {
    const ids: number[] = [];
    for (const sentence of sentences) {
      for (const word of sentence) ids.push(this.idOf(word));
      ids.push(EOS_ID);
    }
    return Int32Array.from(ids);
  }

  /** A word tokenizer from its toJSON() output (object or JSON text); malformed input throws. */
  static fromJSON(value: unknown): WordTokenizer {
    const json = parseTokenizerJSON(value, "word");
    return new WordTokenizer(json.tokens, json.lowercase);
  }
}

/** A character-level vocabulary over Unicode code points: `<unk>` = 0, `<eos>` = 1, then characters by frequency. */
export class CharTokenizer extends VocabularyTokenizer {
  /** Always "char": Unicode code points. */
  readonly kind = "char" as const;

  private constructor(tokens: readonly string[], lowercase: boolean) {
    super(tokens, lowercase);
  }

  /** Builds the vocabulary from the characters of a text or texts. */
  static fromText(texts: string | Iterable<string>, options: TokenizerOptions = {}): CharTokenizer {
    const resolved = resolveOptions(options, false);
    const counts = new Map<string, number>();
    for (const text of typeof texts === "string" ? [texts] : texts)
      for (const char of resolved.lowercase ? text.toLowerCase() : text)
        counts.set(char, (counts.get(char) ?? 0) + 1);
    return new CharTokenizer(selectVocabulary(counts, resolved), resolved.lowercase);
  }

  /** Ids of the characters (code points) of `text`. */
  encodeText(text: string): Int32Array {
    return this.encode(Array.from(text));
  }

  /** The text spelled by the ids; special tokens appear as `<unk>` and `<eos>`. */
  decodeText(ids: ArrayLike<number>): string {
    return this.decode(ids).join("");
  }

  /** A char tokenizer from its toJSON() output (object or JSON text); malformed input throws. */
  static fromJSON(value: unknown): CharTokenizer {
    const json = parseTokenizerJSON(value, "char");
    return new CharTokenizer(json.tokens, json.lowercase);
  }
}

/** A word or char tokenizer from toJSON() output, by its `kind`; malformed input throws. */
export function tokenizerFromJSON(value: unknown): WordTokenizer | CharTokenizer {
  const json = parseTokenizerJSON(value);
  return json.kind === "word" ? WordTokenizer.fromJSON(json) : CharTokenizer.fromJSON(json);
}
