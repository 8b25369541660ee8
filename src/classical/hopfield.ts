/**
 * Associative memories (docs/math.md#modern-hopfield-retrieval).
 *
 * Modern (dense) Hopfield retrieval (Ramsauer et al. 2021) with stored patterns x_1 … x_N as the
 * rows of X (N, D) and a state ξ:
 *
 *   ξ ← Σ_j softmax_j(β x_j·ξ) x_j = Xᵀ softmax(β X ξ)
 *
 * is the local mean of the stored patterns under the dot-product kernel K(ξ, x) = exp(β ξ·x), i.e.
 * attention with the state as query and the patterns as keys and values, at inverse temperature β.
 *
 * The classical network (Hopfield 1982) for ±1 patterns stores the Hebbian weights
 * W = (1/D) Σ_j x_j x_jᵀ with a zero diagonal and updates one unit at a time,
 * s_k ← sign(Σ_l W_kl s_l) (a zero field keeps s_k), in a seeded random order, until a sweep
 * changes nothing. It is not a local mean; it is here as the baseline of the retrieval experiment.
 */
import { check, checkInteger, checkPositive } from "../engine/errors.js";
import { fromHost, toFloat64, type JaxArray } from "../engine/engine.js";
import { seededUniform } from "../engine/random.js";
import { dotProductKernel } from "../kernels/sequence.js";
import { weightedMean } from "../kernels/weightedMean.js";
import {
  chunkPlan,
  queryChunkReads,
  runReads,
  runReadsAsync,
  type ChunkOptions,
  type Reads,
} from "./chunks.js";

/** Settings of `hopfieldRetrieve`: the inverse temperature β and the number of updates. */
export interface HopfieldOptions extends ChunkOptions {
  /** β > 0, the inverse temperature. */
  beta: number;
  /** Number of updates, ≥ 1 (default 1). */
  steps?: number;
}

function checkShapes(patterns: JaxArray, probes: JaxArray): void {
  check(patterns.shape[0] >= 1, "a Hopfield memory needs at least one stored pattern");
  check(
    probes.shape[1] === patterns.shape[1],
    `probes have ${probes.shape[1]} columns but the stored patterns have ${patterns.shape[1]}`,
  );
}

/**
 * Modern Hopfield retrieval: `steps` updates ξ ← Xᵀ softmax(β X ξ) from each probe, on the calling
 * thread (`hopfieldRetrieveAsync`: the same on the threads).
 * patterns (N, D), probes (Q, D) → (Q, D). Takes ownership of both.
 */
export function hopfieldRetrieve(
  patterns: JaxArray,
  probes: JaxArray,
  options: HopfieldOptions,
): JaxArray {
  return runReads(hopfieldReads(patterns, probes, options));
}

/**
 * `hopfieldRetrieve` on the engine's compute threads (each step's blocks read asynchronously);
 * the same results. Takes ownership of both.
 */
export function hopfieldRetrieveAsync(
  patterns: JaxArray,
  probes: JaxArray,
  options: HopfieldOptions,
): Promise<JaxArray> {
  return runReadsAsync(hopfieldReads(patterns, probes, options));
}

/** The steps of `hopfieldRetrieve`, written once for both ways of reading (chunks.ts, `Reads`). */
function* hopfieldReads(
  patterns: JaxArray,
  probes: JaxArray,
  options: HopfieldOptions,
): Reads<JaxArray> {
  const { beta, steps = 1 } = options;
  checkPositive("beta", beta);
  checkInteger("steps", steps, 1);
  checkShapes(patterns, probes);
  const kernel = dotProductKernel(1 / beta); // ℓ = β ξ·x
  const { rows } = chunkPlan(patterns.shape[0], options);
  const [q] = probes.shape;
  const { onProgress } = options;
  // One step over every block at a time, read back each time: memory stays bounded however many
  // steps, and progress counts every step's rows (a million steps would otherwise look stuck).
  let state = probes;
  for (let step = 0; step < steps; step++) {
    const plan = {
      rows,
      onProgress: onProgress && ((done: number) => onProgress(step * q + done, steps * q)),
    };
    state = yield* queryChunkReads(state, plan, (chunk) => {
      const { mean, mass } = weightedMean(kernel.logWeights(chunk, patterns.ref), patterns.ref);
      mass.dispose();
      return mean;
    });
  }
  patterns.dispose();
  return state;
}

/** Settings of `classicalHopfieldRetrieve`: the sweep limit and the seed of the update order. */
export interface ClassicalHopfieldOptions {
  /** The most sweeps over the units (default 100). */
  maxSweeps?: number;
  /** Seed of the update order (default 0). */
  seed?: number;
}

/**
 * The classical Hopfield network with Hebbian weights and asynchronous sign updates.
 * patterns (N, D) and probes (Q, D) of ±1 entries → the final states (Q, D). Takes ownership.
 */
export function classicalHopfieldRetrieve(
  patterns: JaxArray,
  probes: JaxArray,
  options: ClassicalHopfieldOptions = {},
): JaxArray {
  const { maxSweeps = 100, seed = 0 } = options;
  checkInteger("maxSweeps", maxSweeps, 1);
  checkShapes(patterns, probes);
  const [n, d] = patterns.shape;
  const q = probes.shape[0];
  const dtype = probes.dtype;
  const x = toFloat64(patterns);
  const states = toFloat64(probes);
  for (const data of [x, states])
    check(
      data.every((v) => v === 1 || v === -1),
      "the classical Hopfield network needs ±1 entries",
    );
  const weights = new Float64Array(d * d); // W = (1/D) Σ_j x_j x_jᵀ, zero diagonal
  for (let j = 0; j < n; j++) {
    const row = x.subarray(j * d, j * d + d);
    for (let k = 0; k < d; k++) {
      const scaled = row[k] / d;
      for (let l = k + 1; l < d; l++) weights[k * d + l] += scaled * row[l];
    }
  }
  for (let k = 0; k < d; k++)
    for (let l = k + 1; l < d; l++) weights[l * d + k] = weights[k * d + l];
  const uniform = seededUniform(seed);
  const order = Array.from({ length: d }, (_, k) => k);
  for (let row = 0; row < q; row++) {
    const s = states.subarray(row * d, row * d + d);
    for (let sweep = 0; sweep < maxSweeps; sweep++) {
      for (let k = d - 1; k > 0; k--) {
        const swap = Math.floor(uniform() * (k + 1));
        [order[k], order[swap]] = [order[swap], order[k]];
      }
      let changed = false;
      for (const k of order) {
        let field = 0;
        for (let l = 0; l < d; l++) field += weights[k * d + l] * s[l];
        const next = field > 0 ? 1 : field < 0 ? -1 : s[k];
        if (next !== s[k]) {
          s[k] = next;
          changed = true;
        }
      }
      if (!changed) break;
    }
  }
  return fromHost(states, [q, d], dtype);
}
