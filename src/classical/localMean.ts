/**
 * The local mean and the local mode (docs/math.md#the-local-mean):
 *
 *   m(x*) = Σ_j K(x*, x_j) v_j / Σ_j K(x*, x_j) = softmax_j(ℓ(x*, x_j)) @ V
 *
 * With a distance kernel this is Nadaraya–Watson regression; with the dot-product kernel at
 * τ = √d it is softmax attention. Both go through the one weighted mean of kernels/weightedMean.ts.
 * The classical rule on top of it: a query whose kernel gives every key weight 0 (ℓ = −∞ on the
 * whole row, e.g. a compact kernel with no key inside the bandwidth) has no local mean, and its
 * row is NaN, which the estimators below turn into an error naming the row.
 *
 * The gaussian distance kernel takes a faster road to the same means (kernels/gaussianSums.ts):
 * the weights unshifted, in two compiled kernels per block, with the shifted weights only for
 * rows whose kernel mass is too small to trust. Each method reads its blocks back either
 * synchronously (`localMean`, on the calling thread) or asynchronously (`localMeanAsync`, on the
 * compute threads); one generator (chunks.ts, `Reads`) holds the computation for both.
 */
import { check } from "../engine/errors.js";
import { fromHost, nn, np, type JaxArray } from "../engine/engine.js";
import type { LogKernel } from "../kernels/logKernel.js";
import { kernelWeights, weightedMean } from "../kernels/weightedMean.js";
import { gaussianSums, trustedMass, type GaussianSums } from "../kernels/gaussianSums.js";
import {
  chunkPlan,
  queryBlocks,
  runReads,
  runReadsAsync,
  type ChunkOptions,
  type Reads,
} from "./chunks.js";

/** `x` (Q, ·) with the rows of zero kernel mass (Q, 1) set to NaN. Takes ownership of both. */
function markUnsupported(x: JaxArray, mass: JaxArray): JaxArray {
  return np.where(np.greater(mass, 0), x, NaN).astype(x.dtype);
}

/** Normalized weights softmax(ℓ) row by row: (Q, N) → (Q, N), each row summing to 1; NaN rows where nothing has weight. */
export function localWeights(logWeights: JaxArray): JaxArray {
  const { weights, mass } = kernelWeights(logWeights);
  return markUnsupported(weights, mass);
}

/** Checks the shapes of a local mean's arguments. */
function checkShapes(keys: JaxArray, values: JaxArray, queries: JaxArray): void {
  const [n] = keys.shape;
  check(
    values.shape[0] === n,
    `values have ${values.shape[0]} rows but keys have ${n}; they must match`,
  );
  check(
    queries.shape[1] === keys.shape[1],
    `queries have ${queries.shape[1]} features but the training data has ${keys.shape[1]}`,
  );
}

/** Local means of `queries` (C, D) by the shifted weights of weightedMean: (C, M), NaN rows unsupported. */
function shiftedMeans(kernel: LogKernel, keys: JaxArray, values: JaxArray, queries: JaxArray) {
  const { mean, mass } = weightedMean(kernel.logWeights(queries, keys), values); // (C, M)
  return markUnsupported(mean, mass);
}

/**
 * One block of gaussian local means from the fused sums S = Σ_j K_ij [v_j, 1] (C, M + 1): the
 * mean is S[:, :M] / S[:, M]. Rows whose mass could have lost underflowed terms (trustedMass) are
 * recomputed with the shifted weights, so a query far from every key still gets its mean (or NaN
 * when even those underflow). Takes ownership of `chunk`.
 */
function* gaussianBlock(
  sums: GaussianSums,
  chunk: JaxArray,
  shifted: (rows: JaxArray) => JaxArray,
  keys: number,
  columns: number,
): Reads<ArrayLike<number>> {
  const [rows] = chunk.shape;
  const totals = yield sums.sums(chunk.ref); // (C, M + 1)
  const means =
    chunk.dtype === np.float64
      ? new Float64Array(rows * columns)
      : new Float32Array(rows * columns);
  const redo: number[] = [];
  for (let row = 0; row < rows; row++) {
    const base = row * (columns + 1);
    const mass = totals[base + columns];
    if (!trustedMass(mass, keys)) redo.push(row);
    else for (let j = 0; j < columns; j++) means[row * columns + j] = totals[base + j] / mass;
  }
  if (redo.length === 0) {
    chunk.dispose();
    return means;
  }
  const index = np.array(Int32Array.from(redo), { dtype: np.int32 });
  const again = yield shifted(np.take(chunk, index, 0)); // (R, M)
  for (const [i, row] of redo.entries())
    for (let j = 0; j < columns; j++) means[row * columns + j] = again[i * columns + j];
  return means;
}

/**
 * The local means as reads (chunks.ts): one block of queries at a time; methods built on local
 * means (denoising's steps) `yield*` it. Takes ownership of all three.
 */
export function* localMeanReads(
  kernel: LogKernel,
  keys: JaxArray,
  values: JaxArray,
  queries: JaxArray,
  options: ChunkOptions,
): Reads<JaxArray> {
  checkShapes(keys, values, queries);
  const [n] = keys.shape;
  const [q] = queries.shape;
  const columns = values.shape[1];
  const dtype = values.dtype;
  const shifted = (rows: JaxArray) => shiftedMeans(kernel, keys.ref, values.ref, rows);
  const sums = kernel.gaussian && gaussianSums(keys.ref, values.ref, kernel.gaussian.bandwidth);
  const { rows, onProgress } = chunkPlan(n, options);
  const means =
    dtype === np.float64 ? new Float64Array(q * columns) : new Float32Array(q * columns);
  for (const { chunk, start, end } of queryBlocks(queries, rows)) {
    const block = sums
      ? yield* gaussianBlock(sums, chunk, shifted, n, columns)
      : yield shifted(chunk);
    means.set(block, start * columns);
    onProgress?.(end, q);
  }
  sums?.dispose();
  keys.dispose();
  values.dispose();
  return fromHost(means, [q, columns], dtype);
}

/**
 * Local means of `values` at each query, computed on the calling thread (`localMeanAsync` runs
 * the same computation on the compute threads). With the gaussian `distanceKernel` a block of
 * queries is two compiled kernels, the weights and their sums with the values
 * (kernels/gaussianSums.ts); other kernels go through weightedMean.
 * Takes ownership of all three arrays.
 * @param keys (N, D) training inputs
 * @param values (N, M) values to average
 * @param queries (Q, D)
 * @returns (Q, M), NaN on rows with no support
 */
export function localMean(
  kernel: LogKernel,
  keys: JaxArray,
  values: JaxArray,
  queries: JaxArray,
  options: ChunkOptions = {},
): JaxArray {
  return runReads(localMeanReads(kernel, keys, values, queries, options));
}

/**
 * `localMean` on the engine's compute threads (initEngine's `threads`): the same blocks and the
 * same results, each block read asynchronously so that jax-js spreads its kernels over the
 * threads. Takes ownership of all three arrays.
 * @param keys (N, D) training inputs
 * @param values (N, M) values to average
 * @param queries (Q, D)
 * @returns (Q, M), NaN on rows with no support
 */
export function localMeanAsync(
  kernel: LogKernel,
  keys: JaxArray,
  values: JaxArray,
  queries: JaxArray,
  options: ChunkOptions = {},
): Promise<JaxArray> {
  return runReadsAsync(localMeanReads(kernel, keys, values, queries, options));
}

/** What `localMode` returns: the predicted class and the kernel-weighted class frequencies. */
export interface LocalModeResult {
  /** (Q) index of the class with the largest kernel mass (ties: the lower index). */
  classes: Int32Array;
  /** (Q, C) kernel-weighted class frequencies, each row summing to 1. */
  probabilities: JaxArray;
}

/**
 * The local mode (kernel classification): argmax_c Σ_j K(x*, x_j) 1{y_j = c}.
 * @param labels (N) class indices in [0, classes)
 */
export function localMode(
  kernel: LogKernel,
  keys: JaxArray,
  labels: Int32Array,
  classCount: number,
  queries: JaxArray,
  options: ChunkOptions = {},
): LocalModeResult {
  return runReads(localModeReads(kernel, keys, labels, classCount, queries, options));
}

/**
 * `localMode` on the engine's compute threads (see `localMeanAsync`); the same results.
 * @param labels (N) class indices in [0, classes)
 */
export function localModeAsync(
  kernel: LogKernel,
  keys: JaxArray,
  labels: Int32Array,
  classCount: number,
  queries: JaxArray,
  options: ChunkOptions = {},
): Promise<LocalModeResult> {
  return runReadsAsync(localModeReads(kernel, keys, labels, classCount, queries, options));
}

/** The computation of `localMode`, written once for both ways of reading (chunks.ts, `Reads`). */
function* localModeReads(
  kernel: LogKernel,
  keys: JaxArray,
  labels: Int32Array,
  classCount: number,
  queries: JaxArray,
  options: ChunkOptions,
): Reads<LocalModeResult> {
  const oneHot = nn.oneHot(np.array(labels, { dtype: np.int32 }), classCount).astype(keys.dtype);
  const probabilities = yield* localMeanReads(kernel, keys, oneHot, queries, options);
  const classes = yield np.argmax(probabilities.ref, 1);
  return { classes: Int32Array.from(classes), probabilities };
}

/** Throws if any row of a (Q, M) result is NaN, naming the first such query row. */
export function checkSupported(
  result: Float64Array | Float32Array,
  columns: number,
  kernel: string,
) {
  for (let index = 0; index < result.length; index++) {
    if (Number.isNaN(result[index])) {
      const row = Math.floor(index / columns);
      // An unbounded kernel gives every point weight in exact arithmetic: its weights underflowed.
      const unbounded = /^(gaussian|laplacian)\b/.test(kernel);
      check(
        false,
        `query row ${row + 1} has no training point with positive weight under ${kernel}; ` +
          (unbounded
            ? "its weights underflowed to 0 at this bandwidth: increase the bandwidth"
            : "increase the bandwidth or use a kernel with unbounded support (gaussian, laplacian)"),
      );
    }
  }
}
