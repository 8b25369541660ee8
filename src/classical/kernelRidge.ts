/**
 * Kernel ridge regression (docs/math.md#kernel-ridge-and-gaussian-processes): with the Gram matrix
 * K_ij = K(x_i, x_j) of N training rows and a ridge λ ≥ 0,
 *
 *   α = (K + λI)⁻¹ Y,      f(x*) = Σ_j K(x*, x_j) α_j = w(x*) · Y,   w(x*) = (K + λI)⁻¹ k(x*).
 *
 * f is linear in Y, like a local mean, but the weights w(x*) are not a partition of unity: they
 * can be negative and need not sum to 1 (`weights` returns them to show it). The solve runs on the
 * engine in float64 (jax-js's LU solve: only IEEE arithmetic, so float64-exact up to the
 * conditioning of K + λI); the kernel values use the float64-precise exp.
 *
 * Shapes: N training rows, D features, M target columns, Q queries.
 */
import { check } from "../engine/errors.js";
import { np, type JaxArray } from "../engine/engine.js";
import { kernelMatrix, type LogKernel } from "../kernels/logKernel.js";
import {
  mapQueryChunks,
  mapQueryChunksAsync,
  rowsPerChunk,
  runReads,
  runReadsAsync,
  type ChunkOptions,
  type Reads,
} from "./chunks.js";

/** Settings of `kernelRidge`: the ridge λ, and the query blocks of prediction. */
export interface KernelRidgeOptions extends ChunkOptions {
  /** λ ≥ 0 (scikit-learn's `alpha`); 0 interpolates when K is invertible. Default 1. */
  ridge?: number;
}

/**
 * A fitted kernel ridge regression: f(x*) = k(x*)ᵀ (K + λI)⁻¹ Y, with K the kernel matrix of the N
 * training rows.
 */
export interface KernelRidgeModel {
  /** N, the training rows the model was fitted on. */
  readonly trainingRows: number;
  /** D, the input features. */
  readonly features: number;
  /** f at each query: (Q, D) → (Q, M). Takes ownership of queries. */
  predict(queries: JaxArray): JaxArray;
  /** `predict` on the engine's compute threads; the same results. Takes ownership of queries. */
  predictAsync(queries: JaxArray): Promise<JaxArray>;
  /** The equivalent weights w(x*) = (K + λI)⁻¹ k(x*): (Q, D) → (Q, N), f = w @ Y. Takes ownership. */
  weights(queries: JaxArray): JaxArray;
  /** `weights` on the engine's compute threads; the same results. Takes ownership of queries. */
  weightsAsync(queries: JaxArray): Promise<JaxArray>;
  /** Frees the arrays the model holds (the training rows and the solved coefficients). */
  dispose(): void;
}

/**
 * Fits kernel ridge regression on keys (N, D) and targets (N, M), on the calling thread
 * (`kernelRidgeAsync`: the same on the threads); takes ownership of both.
 */
export function kernelRidge(
  kernel: LogKernel,
  keys: JaxArray,
  targets: JaxArray,
  options: KernelRidgeOptions = {},
): KernelRidgeModel {
  return runReads(kernelRidgeReads(kernel, keys, targets, options));
}

/**
 * `kernelRidge` on the engine's compute threads (the solve read asynchronously); the same model.
 * Its `predictAsync` and `weightsAsync` predict on the threads too. Takes ownership of both.
 */
export function kernelRidgeAsync(
  kernel: LogKernel,
  keys: JaxArray,
  targets: JaxArray,
  options: KernelRidgeOptions = {},
): Promise<KernelRidgeModel> {
  return runReadsAsync(kernelRidgeReads(kernel, keys, targets, options));
}

/** The fit of `kernelRidge`, written once for both ways of reading (chunks.ts, `Reads`). */
function* kernelRidgeReads(
  kernel: LogKernel,
  keys: JaxArray,
  targets: JaxArray,
  options: KernelRidgeOptions,
): Reads<KernelRidgeModel> {
  const { ridge = 1 } = options;
  const [n, d] = keys.shape;
  check(
    targets.shape[0] === n,
    `targets have ${targets.shape[0]} rows but inputs have ${n}; they must match`,
  );
  check(Number.isFinite(ridge) && ridge >= 0, `ridge must be ≥ 0, got ${String(ridge)}`);
  const gram = kernelMatrix(kernel, keys.ref, keys.ref).add(
    np.eye(n, undefined, { dtype: keys.dtype }).mul(ridge),
  ); // K + λI
  const coefficients = np.linalg.solve(gram.ref, targets); // α (N, M)
  const solved = yield coefficients.ref;
  check(
    Array.from(solved).every(Number.isFinite),
    `K + λI is singular for ${kernel.name} with λ = ${ridge}; increase the ridge`,
  );
  const rows = rowsPerChunk(n, options);
  const checked = (queries: JaxArray) => {
    check(
      queries.shape[1] === d,
      `queries have ${queries.shape[1]} features but the training data has ${d}`,
    );
    return queries;
  };
  const prediction = (chunk: JaxArray) =>
    np.matmul(kernelMatrix(kernel, chunk, keys.ref), coefficients.ref);
  // (K + λI) is symmetric, so w(x*)ᵀ = k(x*)ᵀ (K + λI)⁻¹ = solve(K + λI, k(x*))ᵀ.
  const weights = (chunk: JaxArray) =>
    np.linalg.solve(gram.ref, kernelMatrix(kernel, chunk, keys.ref).transpose()).transpose();
  return {
    trainingRows: n,
    features: d,
    predict: (queries) => mapQueryChunks(checked(queries), rows, prediction),
    predictAsync: (queries) => mapQueryChunksAsync(checked(queries), rows, prediction),
    weights: (queries) => mapQueryChunks(checked(queries), rows, weights),
    weightsAsync: (queries) => mapQueryChunksAsync(checked(queries), rows, weights),
    dispose() {
      keys.dispose();
      gram.dispose();
      coefficients.dispose();
    },
  };
}
