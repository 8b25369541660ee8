/**
 * Kernel density estimation (docs/math.md#kernel-density-estimation): the denominator of the local
 * mean, normalized. For a radial profile κ with bandwidths h (one, or one per feature),
 *
 *   p̂(x) = 1/(N · Π_k h_k · Z_d(κ)) · Σ_j κ(‖(x − x_j)/h‖),
 *   log p̂(x) = logsumexp_j ℓ(x, x_j) − log N − Σ_k log h_k − log Z_d(κ),
 *
 * with ℓ = log κ the kernel's log-weights and Z_d(κ) = ∫ κ(‖u‖) du (kernels/normalization.ts).
 * The log-sum-exp is the weighted-mean primitive's log kernel mass, with float64-precise exp and
 * log. A query with no key inside a compact kernel's support has density 0: log-density −∞.
 */
import { check } from "../engine/errors.js";
import { type JaxArray } from "../engine/engine.js";
import {
  checkBandwidth,
  distanceKernel,
  type Bandwidth,
  type DistanceProfile,
} from "../kernels/distance.js";
import { logKernelIntegral } from "../kernels/normalization.js";
import { logKernelMass } from "../kernels/weightedMean.js";
import { chunkPlan, mapQueryChunks, mapQueryChunksAsync, type ChunkOptions } from "./chunks.js";

/**
 * log p̂ at each query. keys (N, D), queries (Q, D) → (Q, 1), −∞ where no key has weight.
 * Takes ownership of keys and queries.
 */
export function kernelDensity(
  profile: DistanceProfile,
  bandwidth: Bandwidth,
  keys: JaxArray,
  queries: JaxArray,
  options: ChunkOptions = {},
): JaxArray {
  const { plan, block } = densityBlocks(profile, bandwidth, keys, queries, options);
  const densities = mapQueryChunks(queries, plan, block);
  keys.dispose();
  return densities;
}

/**
 * `kernelDensity` on the engine's compute threads (each block read asynchronously); the same
 * blocks and the same results.
 */
export async function kernelDensityAsync(
  profile: DistanceProfile,
  bandwidth: Bandwidth,
  keys: JaxArray,
  queries: JaxArray,
  options: ChunkOptions = {},
): Promise<JaxArray> {
  const { plan, block } = densityBlocks(profile, bandwidth, keys, queries, options);
  const densities = await mapQueryChunksAsync(queries, plan, block);
  keys.dispose();
  return densities;
}

/** The checks, and one block's log-densities, of `kernelDensity` and `kernelDensityAsync`. */
function densityBlocks(
  profile: DistanceProfile,
  bandwidth: Bandwidth,
  keys: JaxArray,
  queries: JaxArray,
  options: ChunkOptions,
) {
  const [n, d] = keys.shape;
  check(n >= 1, "kernel density estimation needs at least one training row");
  check(
    queries.shape[1] === d,
    `queries have ${queries.shape[1]} features but the training data has ${d}`,
  );
  checkBandwidth(bandwidth, d);
  const kernel = distanceKernel(profile, bandwidth);
  const widths = typeof bandwidth === "number" ? Array<number>(d).fill(bandwidth) : bandwidth;
  const logNormalizer =
    Math.log(n) + widths.reduce((sum, h) => sum + Math.log(h), 0) + logKernelIntegral(profile, d);
  return {
    plan: chunkPlan(n, options),
    block: (chunk: JaxArray) =>
      logKernelMass(kernel.logWeights(chunk, keys.ref), { precise: true }).sub(logNormalizer),
  };
}
