/** The data layer: the Brown corpus, user text corpora and word/char tokenizers. */
export {
  baseTag,
  brownDirectory,
  brownSentenceWords,
  COARSE_CLASSES,
  coarseTag,
  countBrownTokens,
  loadBrown,
  parseBrownDocument,
  resolveSplitFractions,
  splitBrownDocuments,
} from "./brown.js";
export type {
  BrownCorpus,
  BrownDocument,
  BrownToken,
  CoarseClass,
  CorpusSplit,
  SplitFractions,
} from "./brown.js";
export { loadTextCorpus, splitSentenceBlocks, tokenizeText, tokenizeWords } from "./textCorpus.js";
export type { TextCorpus } from "./textCorpus.js";
export {
  CharTokenizer,
  EOS_ID,
  SPECIAL_TOKENS,
  TOKENIZER_JSON_VERSION,
  tokenizerFromJSON,
  UNK_ID,
  WordTokenizer,
} from "./tokenizer.js";
export type { Tokenizer, TokenizerJSON, TokenizerOptions } from "./tokenizer.js";
