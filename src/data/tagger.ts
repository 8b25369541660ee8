/**
 * Part-of-speech classes for any English text, per occurrence: wink-nlp's tagger (with its
 * browser-ready English model, wink-eng-lite-web-model) tags each word in its sentence with a
 * Universal Dependencies tag, which maps to the coarse classes Brown's tags map to
 * (./brownTags.ts), so "book" in "book a flight" is a verb and in "a good book" a noun.
 * Browser-safe (the Lab imports it). docs/corpus.md compares it with compromise on Brown.
 */
import winkNLP from "wink-nlp";
import model from "wink-eng-lite-web-model";
import type { CoarseClass } from "./brownTags.js";

/** One word of a text: where it is (UTF-16 offsets), its UD tag and its coarse class. */
export interface TaggedWord {
  /** First code unit of the word in the text. */
  start: number;
  /** One past its last code unit. */
  end: number;
  /** Universal Dependencies part of speech (NOUN, VERB, ADP, …). */
  tag: string;
  coarse: CoarseClass;
}

/**
 * The coarse class of a Universal Dependencies tag: NOUN, PROPN → noun; VERB, AUX → verb;
 * ADJ, ADV → adjective-adverb; DET, PRON → determiner-pronoun; ADP, CCONJ, SCONJ →
 * preposition-conjunction; PUNCT, SYM → punctuation; PART → as Brown tags the particle (to →
 * preposition-conjunction, possessive 's → noun, since Brown keeps it in the noun's token, else
 * other); NUM, INTJ, X and the rest → other.
 */
export function coarseOfUniversalTag(tag: string, word: string): CoarseClass {
  switch (tag) {
    case "NOUN":
    case "PROPN":
      return "noun";
    case "VERB":
    case "AUX":
      return "verb";
    case "ADJ":
    case "ADV":
      return "adjective-adverb";
    case "DET":
    case "PRON":
      return "determiner-pronoun";
    case "ADP":
    case "CCONJ":
    case "SCONJ":
      return "preposition-conjunction";
    case "PUNCT":
    case "SYM":
      return "punctuation";
    case "PART": {
      const lower = word.toLowerCase();
      if (lower === "to") return "preposition-conjunction";
      if (lower === "'s" || lower === "’s" || lower === "'" || lower === "’") return "noun";
      return "other";
    }
    default:
      return "other";
  }
}

const ABBREVIATION = /^\p{L}{3,}\.$/u;

type Nlp = ReturnType<typeof winkNLP>;
let nlp: Nlp | undefined;

/** The tagger, made on first use (loading the model takes a moment). */
function tagger(): Nlp {
  nlp ??= winkNLP(model, ["pos"]);
  return nlp;
}

/**
 * The words of a text with their classes, in order; whitespace (spaces, line breaks) is not a
 * word. Offsets come from each token's preceding spaces and its text, which wink-nlp keeps
 * exactly, so `text.slice(start, end)` is the word.
 */
export function tagText(text: string): TaggedWord[] {
  const nlp = tagger();
  const its = nlp.its;
  const tokens = nlp.readDoc(text).tokens();
  const values = tokens.out(its.value) as string[];
  const spaces = tokens.out(its.precedingSpaces) as string[];
  const tags = tokens.out(its.pos) as string[];
  const words: TaggedWord[] = [];
  let at = 0;
  for (let i = 0; i < values.length; i++) {
    at += spaces[i].length;
    const start = text.startsWith(values[i], at) ? at : text.indexOf(values[i], at);
    if (start < 0) continue; // a token the tokenizer normalized; keep the offsets in step
    at = start + values[i].length;
    if (tags[i] === "SPACE" || values[i].trim() === "") continue;
    // wink-nlp reads a few words with a full stop as abbreviations ("sun." for Sunday): a word of
    // three or more letters and one final stop is the word, then the stop as punctuation.
    const stop = ABBREVIATION.test(values[i]) ? 1 : 0;
    const value = values[i].slice(0, values[i].length - stop);
    words.push({
      start,
      end: at - stop,
      tag: tags[i],
      coarse: coarseOfUniversalTag(tags[i], value),
    });
    if (stop) words.push({ start: at - 1, end: at, tag: "PUNCT", coarse: "punctuation" });
  }
  return words;
}
