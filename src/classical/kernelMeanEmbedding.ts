/**
 * Kernel mean embeddings of sample sets (docs/math.md#kernel-mean-embeddings-and-ridge): a bag
 * {x_i1, …, x_im_i} is embedded as μ̂_i = (1/m_i) Σ_s k_h(·, x_is) in the RKHS of the gaussian
 * kernel k_h(x, x′) = exp(−‖x − x′‖²/(2h²)), and two embeddings have the inner product
 *
 *   ⟨μ̂_i, μ̂_j⟩ = (1/(m_i m_j)) Σ_s Σ_t k_h(x_is, x_jt) = Σ_s Σ_t ω_is ω_jt k_h(x_is, x_jt),
 *
 * ω_is = 1/m_i for a sample and 0 for padding. The kernel is the project's gaussian kernel as
 * log-weights, ℓ = −‖x − x′‖²/2 at h = 1, and k_h = exp(ℓ/h²) is its power 1/h²
 * (docs/math.md#kernels-as-log-weights), so the distances are computed once for every bandwidth.
 * Rows of one side are processed in blocks whose (rows × samples) intermediates fit a budget and
 * are read back before the next block (../classical/chunks.ts). Float32 on the engine (jax-js's
 * exp is float32-accurate in any case): inner products to about 1e-6 relative.
 *
 * Shapes: A, B bags on either side, M samples per bag (padded), d features.
 */
import { check } from "../engine/errors.js";
import { fromHost, np, type JaxArray } from "../engine/engine.js";
import { distanceKernel } from "../kernels/distance.js";
import { rowsPerChunk, type ChunkOptions } from "./chunks.js";

/** Sets of samples, stored as ../data/distributions/bags.ts stores bags. */
export interface SampleSets {
  /** The number of sets. */
  readonly count: number;
  /** The rows each set is stored in (the largest set's size). */
  readonly capacity: number;
  /** d, the dimension of a sample. */
  readonly dim: number;
  /** (count, capacity, dim) row-major, padding rows 0. */
  readonly samples: Float64Array | Float32Array;
  /** Samples per set, 1 ≤ size ≤ capacity. */
  readonly sizes: ArrayLike<number>;
}

/** ω (count·capacity): 1/m_i on a set's samples, 0 on padding. */
function sampleWeights(sets: SampleSets): Float32Array {
  const weights = new Float32Array(sets.count * sets.capacity);
  for (let i = 0; i < sets.count; i++)
    weights.fill(1 / sets.sizes[i], i * sets.capacity, i * sets.capacity + sets.sizes[i]);
  return weights;
}

function samplesOf(sets: SampleSets, start: number, end: number): JaxArray {
  const { capacity: m, dim: d } = sets;
  const flat = Float32Array.from(sets.samples.subarray(start * m * d, end * m * d));
  return fromHost(flat, [(end - start) * m, d], np.float32);
}

function checkBandwidths(bandwidths: readonly number[]): void {
  check(bandwidths.length > 0, "give at least one bandwidth");
  for (const h of bandwidths)
    check(Number.isFinite(h) && h > 0, `a bandwidth must be > 0, got ${String(h)}`);
}

/**
 * ⟨μ̂_i, μ̂_j⟩ for every set i of `a` and j of `b`, one (A·B) row-major matrix per bandwidth.
 */
export function embeddingInnerProducts(
  a: SampleSets,
  b: SampleSets,
  bandwidths: readonly number[],
  options: ChunkOptions = {},
): Float64Array[] {
  checkBandwidths(bandwidths);
  check(a.dim === b.dim, `the sets have ${a.dim} and ${b.dim} features; they must match`);
  const keys = samplesOf(b, 0, b.count); // (B·M, d)
  const keyWeights = fromHost(sampleWeights(b), [1, b.count * b.capacity], np.float32);
  const queryWeights = sampleWeights(a);
  const out = bandwidths.map(() => new Float64Array(a.count * b.count));
  const unit = distanceKernel("gaussian", 1);
  const setsPerBlock = Math.max(
    1,
    Math.floor(rowsPerChunk(b.count * b.capacity, options) / a.capacity),
  );
  try {
    for (let start = 0; start < a.count; start += setsPerBlock) {
      const end = Math.min(a.count, start + setsPerBlock);
      const c = end - start;
      const logWeights = unit.logWeights(samplesOf(a, start, end), keys.ref); // (c·M, B·M)
      const weightsA = fromHost(
        queryWeights.subarray(start * a.capacity, end * a.capacity),
        [c, a.capacity, 1],
        np.float32,
      );
      bandwidths.forEach((h, k) => {
        const values = np
          .exp(logWeights.ref.mul(1 / (h * h)))
          .mul(keyWeights.ref)
          .reshape([c * a.capacity, b.count, b.capacity])
          .sum(-1) // (c·M, B)
          .reshape([c, a.capacity, b.count])
          .mul(weightsA.ref)
          .sum(1); // (c, B)
        out[k].set(values.dataSync() as Float32Array, start * b.count);
      });
      logWeights.dispose();
      weightsA.dispose();
      options.onProgress?.(end, a.count);
    }
  } finally {
    keys.dispose();
    keyWeights.dispose();
  }
  return out;
}

/** ‖μ̂_i‖² = ⟨μ̂_i, μ̂_i⟩ for every set, one (A) vector per bandwidth. */
export function embeddingSquaredNorms(
  sets: SampleSets,
  bandwidths: readonly number[],
  options: ChunkOptions = {},
): Float64Array[] {
  checkBandwidths(bandwidths);
  const { capacity: m, dim: d } = sets;
  const weights = sampleWeights(sets);
  const out = bandwidths.map(() => new Float64Array(sets.count));
  const setsPerBlock = Math.max(1, Math.floor(rowsPerChunk(m * m, options)));
  for (let start = 0; start < sets.count; start += setsPerBlock) {
    const end = Math.min(sets.count, start + setsPerBlock);
    const c = end - start;
    const x = samplesOf(sets, start, end).reshape([c, m, d]);
    const norms = np.square(x.ref).sum(-1); // (c, M)
    const cross = np.matmul(x.ref, x.transpose([0, 2, 1])); // (c, M, M)
    const squared = np.maximum(
      norms.ref
        .reshape([c, m, 1])
        .add(norms.reshape([c, 1, m]))
        .sub(cross.mul(2)),
      0,
    );
    const w = fromHost(weights.subarray(start * m, end * m), [c, m], np.float32);
    const pairWeights = w.ref.reshape([c, m, 1]).mul(w.reshape([c, 1, m])); // (c, M, M)
    bandwidths.forEach((h, k) => {
      const values = np
        .exp(squared.ref.mul(-0.5 / (h * h)))
        .mul(pairWeights.ref)
        .sum([1, 2]); // (c)
      out[k].set(values.dataSync() as Float32Array, start);
    });
    squared.dispose();
    pairWeights.dispose();
  }
  return out;
}

/**
 * The median distance between samples (of at most 1,000 samples spread evenly over the sets):
 * the median heuristic for the gaussian bandwidth.
 */
export function medianSampleDistance(sets: SampleSets): number {
  const points: number[][] = [];
  const total = Array.from(sets.sizes).reduce((x, y) => x + y, 0);
  const stride = Math.max(1, Math.floor(total / 1000));
  let index = 0;
  for (let i = 0; i < sets.count; i++)
    for (let s = 0; s < sets.sizes[i]; s++, index++)
      if (index % stride === 0) {
        const base = (i * sets.capacity + s) * sets.dim;
        points.push(Array.from({ length: sets.dim }, (_, c) => sets.samples[base + c]));
      }
  const distances: number[] = [];
  for (let i = 0; i < points.length; i++)
    for (let j = i + 1; j < points.length; j++)
      distances.push(Math.sqrt(points[i].reduce((sum, v, c) => sum + (v - points[j][c]) ** 2, 0)));
  const value = median(distances);
  return value > 0 ? value : 1; // every sample alike: any bandwidth serves
}

/** The median of a list (the mean of the middle two for an even count); 1 for an empty list. */
export function median(values: number[]): number {
  if (values.length === 0) return 1;
  const sorted = Float64Array.from(values).sort();
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
