/**
 * The retrieval experiment of docs/math.md#modern-hopfield-retrieval: random ±1 patterns in D
 * dimensions, probes made by flipping a fraction of one stored pattern's signs, and the rate of
 * exact retrieval (every sign of the final state equal to the stored pattern's) of the classical
 * Hebbian network and of modern Hopfield retrieval at several β, against the number of patterns.
 * Each row averages over independent memories (pattern sets) with a few probes each, so that one
 * unlucky pattern set does not decide a row. Everything is drawn from one seed.
 */
import { check } from "../../src/engine/errors.js";
import { fromHost, np, toFloat64 } from "../../src/engine/engine.js";
import { seededUniform } from "../../src/engine/random.js";
import { classicalHopfieldRetrieve, hopfieldRetrieve } from "../../src/classical/hopfield.js";

/** The dimension, pattern counts, probes' flip fraction, β values, memories, probes, steps and seed. */
export interface HopfieldExperimentOptions {
  /** Pattern length D. */
  dimensions: number;
  /** Numbers of stored patterns N, one row each. */
  patternCounts: number[];
  /** Inverse temperatures β of the modern network, one column each. */
  betas: number[];
  /** Fraction of signs flipped in a probe. */
  flipFraction: number;
  /** Independent memories (pattern sets) per row. */
  memories: number;
  /** Probes per memory. */
  probes: number;
  /** Updates of the modern network. */
  steps: number;
  seed: number;
}

/** The exact-retrieval rates at one number of patterns. */
export interface HopfieldExperimentRow {
  patterns: number;
  /** Exact-retrieval rate of the classical network, in [0, 1]. */
  classical: number;
  /** Exact-retrieval rate of the modern network, one per β. */
  modern: number[];
}

/** Random ±1 rows. */
function signRows(uniform: () => number, rows: number, cols: number): Float64Array {
  return Float64Array.from({ length: rows * cols }, () => (uniform() < 0.5 ? -1 : 1));
}

/** Rows of `states` whose signs all equal those of the matching `targets` row, as a fraction. */
function exactRate(states: Float64Array, targets: Float64Array, d: number): number {
  const rows = targets.length / d;
  let hits = 0;
  for (let r = 0; r < rows; r++) {
    let same = true;
    for (let k = 0; k < d && same; k++) same = Math.sign(states[r * d + k]) === targets[r * d + k];
    if (same) hits++;
  }
  return hits / rows;
}

/** Probes: a random stored pattern each, with `flips` of its signs flipped. */
function makeProbes(
  patterns: Float64Array,
  d: number,
  count: number,
  flips: number,
  uniform: () => number,
): { probes: Float64Array; targets: Float64Array } {
  const n = patterns.length / d;
  const targets = new Float64Array(count * d);
  const probes = new Float64Array(count * d);
  for (let r = 0; r < count; r++) {
    const j = Math.floor(uniform() * n);
    targets.set(patterns.subarray(j * d, j * d + d), r * d);
    probes.set(patterns.subarray(j * d, j * d + d), r * d);
    const order = Array.from({ length: d }, (_, k) => k);
    for (let k = 0; k < flips; k++) {
      const pick = k + Math.floor(uniform() * (d - k));
      [order[k], order[pick]] = [order[pick], order[k]];
      probes[r * d + order[k]] *= -1;
    }
  }
  return { probes, targets };
}

/** Exact-retrieval rates on one memory of n patterns: [classical, modern per β]. */
function oneMemory(
  options: HopfieldExperimentOptions,
  n: number,
  uniform: () => number,
): [number, number[]] {
  const { dimensions: d, probes: q, steps, seed } = options;
  const patterns = signRows(uniform, n, d);
  const flips = Math.round(options.flipFraction * d);
  const { probes, targets } = makeProbes(patterns, d, q, flips, uniform);
  const matrix = (data: Float64Array, rows: number) => fromHost(data, [rows, d], np.float64);
  const classical = toFloat64(
    classicalHopfieldRetrieve(matrix(patterns, n), matrix(probes, q), { seed }),
  );
  const modern = options.betas.map((beta) =>
    exactRate(
      toFloat64(hopfieldRetrieve(matrix(patterns, n), matrix(probes, q), { beta, steps })),
      targets,
      d,
    ),
  );
  return [exactRate(classical, targets, d), modern];
}

/** The classical and modern retrieval rates, one row per number of patterns. */
export function runHopfieldExperiment(options: HopfieldExperimentOptions): HopfieldExperimentRow[] {
  const { flipFraction, memories, seed } = options;
  check(flipFraction >= 0 && flipFraction < 0.5, "the flip fraction must be in [0, 0.5)");
  return options.patternCounts.map((n) => {
    const uniform = seededUniform(seed * 1_000_003 + n);
    let classical = 0;
    const modern = options.betas.map(() => 0);
    for (let memory = 0; memory < memories; memory++) {
      const [c, m] = oneMemory(options, n, uniform);
      classical += c / memories;
      m.forEach((rate, b) => (modern[b] += rate / memories));
    }
    return { patterns: n, classical, modern };
  });
}
