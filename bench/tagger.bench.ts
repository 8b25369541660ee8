/**
 * Two English taggers against Brown's gold tags: wink-nlp (with wink-eng-lite-web-model, as
 * src/data/tagger.ts uses it) and compromise, on the project's Brown test split (every 20th
 * document, src/data/brownTags.ts). Each Brown sentence is given to the tagger as its words joined
 * by spaces; each Brown token takes the class of the first tagger token that starts inside it
 * (Atlanta's → Atlanta, don't → do) and is compared with coarseTag(gold). Prints accuracy, the
 * per-class accuracy and words per second.
 *
 *   npm run build && node dist/bench/tagger.bench.js [--sentences N]
 */
import nlpCompromise from "compromise";
import { COARSE_CLASSES, coarseTag, type CoarseClass } from "../src/data/brownTags.js";
import { loadBrown, splitBrownDocuments } from "../src/data/brown.js";
import { tagText } from "../src/data/tagger.js";

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

/** A tagged span of a text. */
interface Span {
  start: number;
  coarse: CoarseClass;
}

/**
 * compromise's tags → coarse classes, most specific first: pronouns and determiners (also tagged
 * Noun), prepositions and conjunctions, verbs, adjectives and adverbs, numbers, nouns.
 */
function compromiseClass(tags: readonly string[]): CoarseClass {
  const has = (tag: string) => tags.includes(tag);
  if (has("Negative")) return "other";
  if (has("Pronoun") || has("Determiner") || has("Possessive")) return "determiner-pronoun";
  if (has("Preposition") || has("Conjunction")) return "preposition-conjunction";
  if (has("Verb") || has("Copula") || has("Modal") || has("Auxiliary")) return "verb";
  if (has("Adjective") || has("Adverb")) return "adjective-adverb";
  if (has("Value") || has("Cardinal") || has("Ordinal")) return "other";
  if (has("Noun")) return "noun";
  return "other";
}

/** compromise leaves punctuation out of its terms; a gap that is all punctuation is punctuation. */
function compromiseSpans(text: string): Span[] {
  const spans: Span[] = [];
  type Term = { tags: string[]; offset: { start: number; length: number } };
  const json = nlpCompromise(text).json({ offset: true }) as { terms: Term[] }[];
  for (const sentence of json)
    for (const term of sentence.terms)
      if (term.offset.length > 0)
        spans.push({ start: term.offset.start, coarse: compromiseClass(term.tags) });
  return spans;
}

function winkSpans(text: string): Span[] {
  return tagText(text).map(({ start, coarse }) => ({ start, coarse }));
}

const PUNCTUATION_ONLY = /^[^\p{L}\p{N}]+$/u;

function evaluate(name: string, tag: (text: string) => Span[], sentences: string[][][]) {
  const index = new Map(COARSE_CLASSES.map((c, i) => [c, i]));
  const right = new Int32Array(COARSE_CLASSES.length);
  const total = new Int32Array(COARSE_CLASSES.length);
  let words = 0;
  const began = performance.now();
  for (const sentence of sentences) {
    const text = sentence.map(([word]) => word).join(" ");
    const spans = tag(text);
    let at = 0;
    let s = 0;
    for (const [word, gold] of sentence) {
      const end = at + word.length;
      while (s < spans.length && spans[s].start < at) s++;
      // compromise keeps punctuation out of its terms (as their pre and post text): a word that
      // is all punctuation is punctuation for it; wink-nlp tags punctuation itself.
      const guess: CoarseClass =
        name === "compromise" && PUNCTUATION_ONLY.test(word)
          ? "punctuation"
          : s < spans.length && spans[s].start < end
            ? spans[s].coarse
            : PUNCTUATION_ONLY.test(word)
              ? "punctuation"
              : "other";
      const g = index.get(coarseTag(gold)) as number;
      total[g]++;
      if (guess === coarseTag(gold)) right[g]++;
      at = end + 1;
      words++;
    }
  }
  const seconds = (performance.now() - began) / 1000;
  const correct = right.reduce((a, b) => a + b, 0);
  return { name, accuracy: correct / words, words, perSecond: words / seconds, right, total };
}

const limit = Number(argument("sentences", "Infinity"));
const test = splitBrownDocuments(loadBrown()).test;
const sentences = test
  .flatMap((d) => d.sentences.map((s) => s.map((t) => [t.word, t.tag])))
  .slice(0, limit);
tagText("warm up"); // load the model outside the timed region
nlpCompromise("warm up").json();
const results = [
  evaluate("wink-nlp", winkSpans, sentences),
  evaluate("compromise", compromiseSpans, sentences),
];
console.log(`Brown test split: ${test.length} documents, ${results[0].words} tokens`);
console.log(`| tagger | accuracy | words/s | ${COARSE_CLASSES.join(" | ")} |`);
console.log(`|---|---|---|${COARSE_CLASSES.map(() => "---").join("|")}|`);
for (const r of results)
  console.log(
    `| ${r.name} | ${(100 * r.accuracy).toFixed(2)}% | ${Math.round(r.perSecond)} | ${COARSE_CLASSES.map((_, i) => `${((100 * r.right[i]) / Math.max(1, r.total[i])).toFixed(1)}%`).join(" | ")} |`,
  );
console.log(
  `| gold tokens | | | ${COARSE_CLASSES.map((_, i) => results[0].total[i]).join(" | ")} |`,
);
