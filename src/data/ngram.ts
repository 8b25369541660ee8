/**
 * N-gram baselines for language-model evaluation on token-id streams (sentences separated by
 * `<eos>` = 1): an add-one unigram model and an interpolated bigram model. A transformer's
 * perplexity means something next to these (docs/math.md#evaluation).
 */
import { check } from "../engine/errors.js";

/** A next-token model over ids 0 … vocabSize − 1. */
export interface NgramModel {
  /** Human-readable, e.g. `bigram (interpolated, λ=0.6)`. */
  readonly name: string;
  /** The bigram weight λ (bigram models only). */
  readonly lambda?: number;
  /** Natural log of p(next | prev). */
  logProb(prev: number, next: number): number;
  /** exp(−mean log p(ids[i] | ids[i−1])) over the positions i ≥ 1; needs at least 2 ids. */
  perplexity(ids: Int32Array): number;
}

/** The λ grid for tuning: 0.05, 0.10, …, 0.95. */
const LAMBDA_GRID = Array.from({ length: 19 }, (_, k) => (k + 1) / 20);
/** λ when no validation stream is given. */
const DEFAULT_LAMBDA = 0.7;

function checkVocabSize(vocabSize: number): void {
  check(
    Number.isInteger(vocabSize) && vocabSize >= 1,
    `vocabSize must be a positive integer, got ${String(vocabSize)}`,
  );
}

/** Throws unless every id is an integer in [0, vocabSize). */
function checkIds(ids: Int32Array, vocabSize: number, what: string): void {
  for (let i = 0; i < ids.length; i++) {
    const id = ids[i];
    if (id < 0 || id >= vocabSize)
      check(
        false,
        `${what} token id ${id} at position ${i} is outside the vocabulary [0, ${vocabSize})`,
      );
  }
}

function checkId(id: number, vocabSize: number, what: string): void {
  check(
    Number.isInteger(id) && id >= 0 && id < vocabSize,
    () => `${what} token id ${id} is outside the vocabulary [0, ${vocabSize})`,
  );
}

/** p_uni(w) = (c(w) + 1) / (N + V) for every id. */
function unigramProbs(trainIds: Int32Array, vocabSize: number): Float64Array {
  const counts = new Float64Array(vocabSize);
  for (let i = 0; i < trainIds.length; i++) counts[trainIds[i]]++;
  const denominator = trainIds.length + vocabSize;
  return counts.map((count) => (count + 1) / denominator);
}

/** Perplexity of `ids` under a next-token log probability, over positions 1 … n − 1. */
function streamPerplexity(
  ids: Int32Array,
  vocabSize: number,
  logProb: (prev: number, next: number) => number,
): number {
  check(ids.length >= 2, `perplexity needs at least 2 token ids, got ${ids.length}`);
  checkIds(ids, vocabSize, "evaluation");
  let sum = 0;
  for (let i = 1; i < ids.length; i++) sum += logProb(ids[i - 1], ids[i]);
  return Math.exp(-sum / (ids.length - 1));
}

/** Add-one unigram model: p(w) = (c(w) + 1) / (N + V), whatever the previous token. */
export function unigramModel(trainIds: Int32Array, vocabSize: number): NgramModel {
  checkVocabSize(vocabSize);
  checkIds(trainIds, vocabSize, "training");
  const logUni = unigramProbs(trainIds, vocabSize).map(Math.log);
  const logProb = (_prev: number, next: number) => logUni[next];
  return {
    name: "unigram (add-one)",
    logProb(prev, next) {
      checkId(prev, vocabSize, "previous");
      checkId(next, vocabSize, "next");
      return logProb(prev, next);
    },
    perplexity: (ids) => streamPerplexity(ids, vocabSize, logProb),
  };
}

/**
 * Interpolated bigram model: p(w | v) = λ·c(v, w)/c(v) + (1 − λ)·p_uni(w), with p_uni the add-one
 * unigram and c(v) the number of training pairs starting with v (so the bigram term sums to 1);
 * for a v never seen as a previous token, p(w | v) = p_uni(w). λ is the grid value in 0.05 … 0.95
 * with the lowest perplexity on `validIds` when given, else 0.7. Pair counts live in a sparse map
 * keyed by v·V + w.
 */
export function bigramModel(
  trainIds: Int32Array,
  vocabSize: number,
  validIds?: Int32Array,
): NgramModel {
  checkVocabSize(vocabSize);
  checkIds(trainIds, vocabSize, "training");
  const uni = unigramProbs(trainIds, vocabSize);
  const contextCounts = new Float64Array(vocabSize);
  const pairCounts = new Map<number, number>();
  for (let i = 1; i < trainIds.length; i++) {
    const prev = trainIds[i - 1];
    const key = prev * vocabSize + trainIds[i];
    contextCounts[prev]++;
    pairCounts.set(key, (pairCounts.get(key) ?? 0) + 1);
  }
  /** c(v, w) / c(v), or NaN when v was never a context. */
  const bigram = (prev: number, next: number): number => {
    const context = contextCounts[prev];
    if (context === 0) return NaN;
    return (pairCounts.get(prev * vocabSize + next) ?? 0) / context;
  };

  let lambda = DEFAULT_LAMBDA;
  if (validIds) {
    check(validIds.length >= 2, `validation needs at least 2 token ids, got ${validIds.length}`);
    checkIds(validIds, vocabSize, "validation");
    // Each position's two terms once, then every λ of the grid in one pass over them.
    const n = validIds.length - 1;
    const bigramTerms = new Float64Array(n);
    const unigramTerms = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      bigramTerms[i] = bigram(validIds[i], validIds[i + 1]);
      unigramTerms[i] = uni[validIds[i + 1]];
    }
    let best = -Infinity;
    for (const candidate of LAMBDA_GRID) {
      let sum = 0;
      for (let i = 0; i < n; i++) {
        const b = bigramTerms[i];
        const u = unigramTerms[i];
        sum += Math.log(Number.isNaN(b) ? u : candidate * b + (1 - candidate) * u);
      }
      if (sum > best) {
        best = sum;
        lambda = candidate;
      }
    }
  }

  const logProb = (prev: number, next: number): number => {
    const b = bigram(prev, next);
    const u = uni[next];
    return Math.log(Number.isNaN(b) ? u : lambda * b + (1 - lambda) * u);
  };
  return {
    name: `bigram (interpolated, λ=${lambda})`,
    lambda,
    logProb(prev, next) {
      checkId(prev, vocabSize, "previous");
      checkId(next, vocabSize, "next");
      return logProb(prev, next);
    },
    perplexity: (ids) => streamPerplexity(ids, vocabSize, logProb),
  };
}
