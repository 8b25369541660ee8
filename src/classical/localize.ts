/**
 * The localization trick (docs/math.md#the-localization-trick): any model fitted by weighted empirical risk becomes a
 * local model by refitting it, for every target x*, with the kernel weights of x*:
 *
 *   θ̂(x*) = argmin_θ Σ_i K(x*, x_i) · l(x_i, θ),   prediction f(x*; θ̂(x*)).
 *
 * A `WeightedModel` fits a whole block of weighted problems at once (one per query row), so the
 * trick runs batched on the engine, chunked over queries.
 */
import { check } from "../engine/errors.js";
import { type JaxArray } from "../engine/engine.js";
import type { LogKernel } from "../kernels/logKernel.js";
import { chunkPlan, mapQueryChunks, mapQueryChunksAsync, type ChunkOptions } from "./chunks.js";
import { localWeights } from "./localMean.js";

/**
 * A model fitted by weighted least squares (or likelihood) that `localize` fits once per query,
 * with that query's kernel weights: the localization trick turning a global model into a local one.
 */
export interface WeightedModel {
  /** Number of training rows N the model was built on. */
  readonly trainingRows: number;
  /** Number of input features D. */
  readonly features: number;
  /**
   * Fits one problem per row of `weights` (C, N), rows summing to 1, and predicts at the matching
   * row of `queries` (C, D). Takes ownership of both. Returns (C, M).
   */
  fitPredict(weights: JaxArray, queries: JaxArray): JaxArray;
  /** Releases the training data the model holds. */
  dispose(): void;
}

/**
 * Localizes `model` with `kernel`: predictions at `queries` (Q, D) from per-query weighted fits.
 * Takes ownership of `keys` (the model's training inputs, (N, D)) and `queries`; the model stays
 * owned by the caller.
 */
export function localize(
  model: WeightedModel,
  kernel: LogKernel,
  keys: JaxArray,
  queries: JaxArray,
  options: ChunkOptions = {},
): JaxArray {
  const { plan, block } = localizedBlocks(model, kernel, keys, queries, options);
  const predictions = mapQueryChunks(queries, plan, block);
  keys.dispose();
  return predictions;
}

/**
 * `localize` on the engine's compute threads (each block read asynchronously, so jax-js spreads
 * its kernels over the threads); the same blocks and the same results.
 */
export async function localizeAsync(
  model: WeightedModel,
  kernel: LogKernel,
  keys: JaxArray,
  queries: JaxArray,
  options: ChunkOptions = {},
): Promise<JaxArray> {
  const { plan, block } = localizedBlocks(model, kernel, keys, queries, options);
  const predictions = await mapQueryChunksAsync(queries, plan, block);
  keys.dispose();
  return predictions;
}

/** The checks, and one block's weighted fits, of `localize` and `localizeAsync`. */
function localizedBlocks(
  model: WeightedModel,
  kernel: LogKernel,
  keys: JaxArray,
  queries: JaxArray,
  options: ChunkOptions,
) {
  const [n, d] = keys.shape;
  check(
    n === model.trainingRows,
    `the kernel keys have ${n} rows, the model ${model.trainingRows}`,
  );
  check(
    queries.shape[1] === d,
    `queries have ${queries.shape[1]} features but the training data has ${d}`,
  );
  return {
    plan: chunkPlan(n, options),
    block: (chunk: JaxArray) =>
      model.fitPredict(localWeights(kernel.logWeights(chunk.ref, keys.ref)), chunk),
  };
}
