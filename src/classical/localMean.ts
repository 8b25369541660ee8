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
 */
import { check } from "../engine/errors.js";
import { nn, np, type JaxArray } from "../engine/engine.js";
import type { LogKernel } from "../kernels/logKernel.js";
import { kernelWeights, weightedMean } from "../kernels/weightedMean.js";
import { chunkPlan, mapQueryChunks, type ChunkOptions } from "./chunks.js";

/** `x` (Q, ·) with the rows of zero kernel mass (Q, 1) set to NaN. Takes ownership of both. */
function markUnsupported(x: JaxArray, mass: JaxArray): JaxArray {
  return np.where(np.greater(mass, 0), x, NaN).astype(x.dtype);
}

/** Normalized weights softmax(ℓ) row by row: (Q, N) → (Q, N), each row summing to 1; NaN rows where nothing has weight. */
export function localWeights(logWeights: JaxArray): JaxArray {
  const { weights, mass } = kernelWeights(logWeights);
  return markUnsupported(weights, mass);
}

/**
 * Local means of `values` at each query.
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
  const [n] = keys.shape;
  check(
    values.shape[0] === n,
    `values have ${values.shape[0]} rows but keys have ${n}; they must match`,
  );
  check(
    queries.shape[1] === keys.shape[1],
    `queries have ${queries.shape[1]} features but the training data has ${keys.shape[1]}`,
  );
  const means = mapQueryChunks(queries, chunkPlan(n, options), (chunk) => {
    const { mean, mass } = weightedMean(kernel.logWeights(chunk, keys.ref), values.ref); // (C, M)
    return markUnsupported(mean, mass);
  });
  keys.dispose();
  values.dispose();
  return means;
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
  const oneHot = nn.oneHot(np.array(labels, { dtype: np.int32 }), classCount).astype(keys.dtype);
  const probabilities = localMean(kernel, keys, oneHot, queries, options);
  const classes = np.argmax(probabilities.ref, 1).dataSync();
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
