/**
 * The local mean and the local mode (DESIGN.md §1):
 *
 *   m(x*) = Σ_j K(x*, x_j) v_j / Σ_j K(x*, x_j) = softmax_j(ℓ(x*, x_j)) @ V
 *
 * With a distance kernel this is Nadaraya–Watson regression; with the dot-product kernel at
 * τ = √d it is softmax attention. A query whose kernel gives every key weight 0 (ℓ = −∞ on the
 * whole row, e.g. a compact kernel with no key inside the bandwidth) has no local mean: its row
 * is NaN, and the estimators below turn that into an error naming the row.
 */
import { check } from "../engine/errors.js";
import { nn, np, type JaxArray } from "../engine/engine.js";
import type { LogKernel } from "../kernels/logKernel.js";
import { mapQueryChunks, rowsPerChunk, type ChunkOptions } from "./chunks.js";

/**
 * Unnormalized stable weights e_ij = exp(ℓ_ij − max_j ℓ_ij): (Q, N) → (Q, N). A row that is −∞
 * throughout becomes NaN (−∞ − (−∞)), which marks "no support".
 */
export function shiftedWeights(logWeights: JaxArray): JaxArray {
  const rowMax = np.max(logWeights.ref, 1, { keepdims: true });
  return np.exp(logWeights.sub(rowMax));
}

/** Normalized weights softmax(ℓ) row by row: (Q, N) → (Q, N), each row summing to 1. */
export function localWeights(logWeights: JaxArray): JaxArray {
  const e = shiftedWeights(logWeights);
  return e.ref.div(e.sum(1, { keepdims: true }));
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
  // Normalizing after the product, (e @ V) / Σe, divides (Q, M) numbers instead of (Q, N), and a
  // constant V comes back exactly (both sums see the same weights).
  const means = mapQueryChunks(queries, rowsPerChunk(n, options), (chunk) => {
    const e = shiftedWeights(kernel.logWeights(chunk, keys.ref)); // (C, N)
    return np.matmul(e.ref, values.ref).div(e.sum(1, { keepdims: true })); // (C, M)
  });
  keys.dispose();
  values.dispose();
  return means;
}

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
      check(
        false,
        `query row ${row + 1} has no training point with positive weight under ${kernel}; ` +
          `increase the bandwidth or use a kernel with unbounded support (gaussian, laplacian)`,
      );
    }
  }
}
