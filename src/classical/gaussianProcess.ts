/**
 * Gaussian-process regression with a fixed kernel (docs/math.md#kernel-ridge-and-gaussian-processes):
 * prior f ~ GP(0, a·K) with K(x, x) = 1 (every distance kernel), observations y = f(x) + ε,
 * ε ~ N(0, σ²) (scikit-learn's `alpha` = σ²). With C = a·K_XX + σ²I = L Lᵀ (Cholesky),
 *
 *   mean(x*) = a·k(x*)ᵀ C⁻¹ Y                 (= kernel ridge with λ = σ²/a)
 *   var(x*)  = a − ‖L⁻¹ a·k(x*)‖²             (clipped at 0, as scikit-learn does)
 *
 * The factorization and the triangular solves run on the engine in float64; a kernel that is not
 * positive definite on the training points (the compact profiles can fail to be) is refused.
 *
 * Shapes: N training rows, D features, M target columns, Q queries.
 */
import { check } from "../engine/errors.js";
import { lax, np, type JaxArray } from "../engine/engine.js";
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

/** Settings of `gaussianProcess`: the noise variance, the prior amplitude, the query blocks. */
export interface GaussianProcessOptions extends ChunkOptions {
  /** σ² ≥ 0, the observation-noise variance added to the diagonal. Default 1e-10 (scikit-learn's). */
  noise?: number;
  /** a > 0, the prior variance of f (a constant kernel factor). Default 1. */
  amplitude?: number;
}

/**
 * A Gaussian-process posterior: mean k(x*)ᵀ (aK + σ²I)⁻¹ Y · a and variance a − a² k(x*)ᵀ (aK +
 * σ²I)⁻¹ k(x*), with K the kernel matrix of the N training rows.
 */
export interface GaussianProcessModel {
  /** N, the training rows the posterior is conditioned on. */
  readonly trainingRows: number;
  /** D, the input features. */
  readonly features: number;
  /** Posterior mean (Q, M) and standard deviation (Q, 1) at queries (Q, D). Takes ownership. */
  predict(queries: JaxArray): { mean: JaxArray; std: JaxArray };
  /** `predict` on the engine's compute threads; the same results. Takes ownership. */
  predictAsync(queries: JaxArray): Promise<{ mean: JaxArray; std: JaxArray }>;
  /** Frees the arrays the model holds (the training rows and the Cholesky factor). */
  dispose(): void;
}

/**
 * Conditions the prior on keys (N, D) and targets (N, M), on the calling thread
 * (`gaussianProcessAsync`: the same on the threads); takes ownership of both.
 */
export function gaussianProcess(
  kernel: LogKernel,
  keys: JaxArray,
  targets: JaxArray,
  options: GaussianProcessOptions = {},
): GaussianProcessModel {
  return runReads(gaussianProcessReads(kernel, keys, targets, options));
}

/**
 * `gaussianProcess` on the engine's compute threads (the Cholesky factor read asynchronously);
 * the same posterior. Its `predictAsync` predicts on the threads too. Takes ownership of both.
 */
export function gaussianProcessAsync(
  kernel: LogKernel,
  keys: JaxArray,
  targets: JaxArray,
  options: GaussianProcessOptions = {},
): Promise<GaussianProcessModel> {
  return runReadsAsync(gaussianProcessReads(kernel, keys, targets, options));
}

/** The conditioning of `gaussianProcess`, once for both ways of reading (chunks.ts, `Reads`). */
function* gaussianProcessReads(
  kernel: LogKernel,
  keys: JaxArray,
  targets: JaxArray,
  options: GaussianProcessOptions,
): Reads<GaussianProcessModel> {
  const { noise = 1e-10, amplitude = 1 } = options;
  const [n, d] = keys.shape;
  check(
    targets.shape[0] === n,
    `targets have ${targets.shape[0]} rows but inputs have ${n}; they must match`,
  );
  check(Number.isFinite(noise) && noise >= 0, `noise must be ≥ 0, got ${String(noise)}`);
  check(
    Number.isFinite(amplitude) && amplitude > 0,
    `amplitude must be > 0, got ${String(amplitude)}`,
  );
  const m = targets.shape[1];
  const covariance = kernelMatrix(kernel, keys.ref, keys.ref)
    .mul(amplitude)
    .add(np.eye(n, undefined, { dtype: keys.dtype }).mul(noise));
  const factor = np.linalg.cholesky(covariance); // L, lower triangular
  const factorValues = yield factor.ref;
  check(
    Array.from(factorValues).every(Number.isFinite),
    `the covariance a·K + σ²I is not positive definite for ${kernel.name} with σ² = ${noise}; ` +
      `increase the noise or use a positive-definite kernel (gaussian, laplacian)`,
  );
  const lower = (b: JaxArray) =>
    lax.linalg.triangularSolve(factor.ref, b, { leftSide: true, lower: true }); // L⁻¹ b
  const coefficients = lax.linalg.triangularSolve(factor.ref, lower(targets), {
    leftSide: true,
    lower: true,
    transposeA: true,
  }); // C⁻¹ Y = L⁻ᵀ L⁻¹ Y, (N, M)
  const rows = rowsPerChunk(n, options);
  const checked = (queries: JaxArray) => {
    check(
      queries.shape[1] === d,
      `queries have ${queries.shape[1]} features but the training data has ${d}`,
    );
    return queries;
  };
  const posterior = (chunk: JaxArray) => {
    const cross = kernelMatrix(kernel, chunk, keys.ref).mul(amplitude); // a·k(x*)ᵀ, (C, N)
    const mean = np.matmul(cross.ref, coefficients.ref); // (C, M)
    const v = lower(cross.transpose()); // (N, C)
    const variance = np.maximum(np.negative(np.square(v).sum(0)).add(amplitude), 0);
    return np.concatenate([mean, np.sqrt(variance).reshape([-1, 1])], 1); // (C, M + 1)
  };
  /** The mean columns and the standard deviation column of the stacked posterior (Q, M + 1). */
  const split = (both: JaxArray) => ({
    mean: both.ref.slice([], [0, m]),
    std: both.slice([], [m, m + 1]),
  });
  return {
    trainingRows: n,
    features: d,
    predict: (queries) => split(mapQueryChunks(checked(queries), rows, posterior)),
    predictAsync: async (queries) =>
      split(await mapQueryChunksAsync(checked(queries), rows, posterior)),
    dispose() {
      keys.dispose();
      factor.dispose();
      coefficients.dispose();
    },
  };
}
