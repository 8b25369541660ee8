/**
 * Text data for the language models: corpora with their splits, word and character tokenizers,
 * the unigram and bigram baselines, and the recall text of the steering experiments.
 *
 * @module localist/data
 */
import "../engine/threads.js"; // first, before jax-js loads: the compute threads for Node
import "../kernels/kdTreeThreads.js";

export { loadLmCorpus, type LmCorpus, type LmCorpusOptions } from "../data/lmCorpus.js";
export {
  WordTokenizer,
  CharTokenizer,
  BpeTokenizer,
  tokenizerFromJSON,
  type AnyTokenizer,
  type TokenizerKindName,
  type EncodedSpans,
} from "../data/tokenizer.js";
// Blocks per occurrence: the part-of-speech tagger and lexicons of concepts.
export { tagText, type TaggedWord } from "../data/tagger.js";
export type { CoarseClass } from "../data/brownTags.js";
export {
  taggerLabels,
  lexiconLabels,
  occurrenceLabeller,
  type OccurrenceLabeller,
  type BlockLabels,
  type LabelledWords,
} from "../data/tokenBlocks.js";
export type { Span } from "../data/words.js";
export type { Lexicon, LexiconFallback, StoredLexicon } from "../data/lexicon.js";
export { parseLexicon } from "../data/lexiconFile.js";
export { unigramModel, bigramModel, type NgramModel } from "../data/ngram.js";
export { recallLines, recallText, type RecallLine } from "../data/recall.js";

// The options and results the functions above take and return.
export type { TokenizerKind, PreparedData } from "../data/corpusEntry.js";
export type { RecallOptions } from "../data/recall.js";
export type { Tokenizer, TokenizerJSON, TokenizerOptions } from "../data/tokenizer.js";
