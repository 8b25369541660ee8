/**
 * Counting and uniform sampling of the strings a DFA accepts (or rejects) at a given length.
 *
 * Counts are exact BigInts: N_k(q), the number of strings of length k that lead from state q to
 * acceptance, satisfies N_0(q) = [q accepting] and N_k(q) = N_{k−1}(δ(q, a)) + N_{k−1}(δ(q, b)), so
 * they reach 2^500 at length 500 without overflow. A uniform accepted string of length n is drawn
 * symbol by symbol: in state q with k symbols left, `a` is chosen with probability
 * N_{k−1}(δ(q, a)) / N_k(q) (that ratio rounded to float64, so the draw is uniform up to ~2⁻⁵³).
 * Rejected strings are the accepted strings of the complement DFA.
 */
import { check, checkInteger } from "../../engine/errors.js";
import { seededUniform } from "../../engine/random.js";
import { complement, type Dfa } from "./regex.js";

/** x / y as a float64 for non-negative BigInts (y > 0), accurate even when both exceed 2^1024. */
function ratio(x: bigint, y: bigint): number {
  const shift = Math.max(0, y.toString(2).length - 64);
  const s = BigInt(shift);
  return Number(x >> s) / Number(y >> s);
}

/** Draws uniform strings of a fixed class from one DFA, for lengths up to `maxLength`. */
export class StringSampler {
  /** counts[k][q]: accepted strings of length k from state q. */
  private readonly counts: bigint[][];
  /** probabilityA[k][q]: the chance the next symbol is a, in state q with k symbols left. */
  private readonly probabilityA: Float64Array[];

  constructor(
    readonly dfa: Dfa,
    readonly maxLength: number,
  ) {
    checkInteger("maximum length", maxLength, 0);
    const { states, next } = dfa;
    this.counts = [dfa.accepting.map((x) => (x ? 1n : 0n))];
    this.probabilityA = [new Float64Array(states)];
    for (let k = 1; k <= maxLength; k++) {
      const previous = this.counts[k - 1];
      const row: bigint[] = [];
      const pa = new Float64Array(states);
      for (let q = 0; q < states; q++) {
        const viaA = previous[next[2 * q]];
        const total = viaA + previous[next[2 * q + 1]];
        row.push(total);
        pa[q] = total > 0n ? ratio(viaA, total) : NaN;
      }
      this.counts.push(row);
      this.probabilityA.push(pa);
    }
  }

  /** The number of accepted strings of length n (0 ≤ n ≤ maxLength). */
  count(length: number): bigint {
    return this.counts[length][this.dfa.start];
  }

  /** A uniformly drawn accepted string of length n (there must be one), as 'a'/'b' text. */
  sample(length: number, uniform: () => number): string {
    check(
      this.count(length) > 0n,
      () => `language '${this.dfa.pattern ?? "?"}' has no strings of length ${length}`,
    );
    let q = this.dfa.start;
    let text = "";
    for (let k = length; k > 0; k--) {
      const s = uniform() < this.probabilityA[k][q] ? 0 : 1;
      text += s === 0 ? "a" : "b";
      q = this.dfa.next[2 * q + s];
    }
    return text;
  }
}

/** Accepted strings of each length 0 … maxLength. */
export function countByLength(dfa: Dfa, maxLength: number): bigint[] {
  const sampler = new StringSampler(dfa, maxLength);
  return Array.from({ length: maxLength + 1 }, (_, n) => sampler.count(n));
}

/** One labelled string: label 1 when the language accepts it, 0 when it does not. */
export interface Example {
  text: string;
  label: 0 | 1;
}

export interface DatasetOptions {
  minLength: number;
  maxLength: number;
  count: number;
  seed: number;
  /**
   * Draw lengths from this list (each within [minLength, maxLength]) instead of every length of the
   * range; the benchmark's test set uses a fixed grid of lengths so evaluation compiles few shapes.
   */
  lengths?: readonly number[];
}

/** Positive and negative samplers of a DFA up to a length (build once, draw many datasets). */
export interface LanguageSamplers {
  positive: StringSampler;
  negative: StringSampler;
}

export function languageSamplers(dfa: Dfa, maxLength: number): LanguageSamplers {
  return {
    positive: new StringSampler(dfa, maxLength),
    negative: new StringSampler(complement(dfa), maxLength),
  };
}

function describeLengths(options: DatasetOptions): string {
  if (!options.lengths) {
    const { minLength: min, maxLength: max } = options;
    return `of length ${min === max ? min : `${min}–${max}`}`;
  }
  const shown = options.lengths.slice(0, 6).join(", ");
  return `at lengths ${shown}${options.lengths.length > 6 ? ", …" : ""}`;
}

/**
 * Throws a one-line error unless the language has both positive and negative strings somewhere
 * in the lengths of `options`.
 */
export function checkBothClasses(dfa: Dfa, options: DatasetOptions, samplers?: LanguageSamplers) {
  datasetLengths(dfa, options, samplers);
}

function datasetLengths(
  dfa: Dfa,
  options: DatasetOptions,
  given?: LanguageSamplers,
): { samplers: LanguageSamplers; byClass: [number[], number[]] } {
  const { minLength, maxLength } = options;
  checkInteger("minimum length", minLength, 0);
  checkInteger("maximum length", maxLength, minLength);
  const candidates =
    options.lengths ?? Array.from({ length: maxLength - minLength + 1 }, (_, i) => minLength + i);
  for (const n of candidates) {
    check(
      Number.isInteger(n) && n >= minLength && n <= maxLength,
      `dataset length ${n} is outside ${minLength}–${maxLength}`,
    );
  }
  const samplers =
    given && given.positive.maxLength >= maxLength ? given : languageSamplers(dfa, maxLength);
  const byClass: [number[], number[]] = [
    candidates.filter((n) => samplers.negative.count(n) > 0n),
    candidates.filter((n) => samplers.positive.count(n) > 0n),
  ];
  for (const label of [1, 0] as const) {
    check(
      byClass[label].length > 0,
      () =>
        `language '${dfa.pattern ?? "?"}' has no ${label === 1 ? "positive" : "negative"} strings ${describeLengths(options)}; choose another language or length range`,
    );
  }
  return { samplers, byClass };
}

/**
 * `count` labelled strings: each example's class is positive or negative with probability 1/2,
 * then its length is uniform among the lengths where that class has strings (the same as drawing
 * a length uniformly from the range and drawing again while the class is empty there), then the
 * string is uniform among that class's strings of that length. Deterministic given the seed.
 * Throws a one-line LocalistError when a class is empty at every length.
 */
export function balancedDataset(
  dfa: Dfa,
  options: DatasetOptions,
  samplers?: LanguageSamplers,
): Example[] {
  checkInteger("dataset size", options.count, 0);
  const { samplers: s, byClass } = datasetLengths(dfa, options, samplers);
  const uniform = seededUniform(options.seed);
  const examples: Example[] = [];
  for (let i = 0; i < options.count; i++) {
    const label: 0 | 1 = uniform() < 0.5 ? 1 : 0;
    const lengths = byClass[label];
    const n = lengths[Math.min(lengths.length - 1, Math.floor(uniform() * lengths.length))];
    const sampler = label === 1 ? s.positive : s.negative;
    examples.push({ text: sampler.sample(n, uniform), label });
  }
  return examples;
}
