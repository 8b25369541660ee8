/**
 * Text data for the language models: corpora with their splits, word and character tokenizers,
 * the unigram and bigram baselines, and the recall text of the steering experiments.
 *
 * @module localist/data
 */
import "../engine/threads.js"; // first, before jax-js loads: the compute threads for Node
import "../kernels/kdTreeThreads.js";

export { loadLmCorpus, type LmCorpus, type LmCorpusOptions } from "../data/lmCorpus.js";
export { WordTokenizer, CharTokenizer, tokenizerFromJSON } from "../data/tokenizer.js";
export { unigramModel, bigramModel, type NgramModel } from "../data/ngram.js";
export { recallLines, recallText, type RecallLine } from "../data/recall.js";

// The options and results the functions above take and return.
export type { TokenizerKind } from "../data/corpusEntry.js";
export type { RecallOptions } from "../data/recall.js";
export type { Tokenizer, TokenizerJSON, TokenizerOptions } from "../data/tokenizer.js";
