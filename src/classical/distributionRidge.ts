/**
 * Distribution regression by kernel mean embeddings and kernel ridge regression, the classical
 * two-stage method (Szabó et al., JMLR 2016; docs/math.md#kernel-mean-embeddings-and-ridge):
 *
 *   K_ij = ⟨μ̂_i, μ̂_j⟩                                       (linear kernel on embeddings), or
 *   K_ij = exp(−‖μ̂_i − μ̂_j‖² / (2γ²)),  ‖μ̂_i − μ̂_j‖² = ⟨μ̂_i, μ̂_i⟩ + ⟨μ̂_j, μ̂_j⟩ − 2⟨μ̂_i, μ̂_j⟩
 *   α = (K + λ·κ̄·I)⁻¹ (Y − Ȳ),   f(bag) = Σ_j K(bag, j) α_j + Ȳ,
 *
 * κ̄ the mean of K's diagonal (so λ is scale-free) and Ȳ the training mean. The inner bandwidth h,
 * the outer kernel (linear, or gaussian with γ a multiple of the median embedding distance) and λ
 * are chosen by K-fold cross-validation of the normalized squared error, then the model is refit
 * on every training bag. The solves run on the engine in float64 (Cholesky and two triangular
 * solves).
 *
 * Shapes: N training bags, Q query bags, T target columns.
 */
import { check, LocalistError } from "../engine/errors.js";
import { fromHost, lax, np } from "../engine/engine.js";
import { seededUniform } from "../engine/random.js";
import {
  embeddingInnerProducts,
  embeddingSquaredNorms,
  median,
  medianSampleDistance,
  type SampleSets,
} from "./kernelMeanEmbedding.js";
import { kmeGaussianProcess, kmeGpStd, type KmeGpState } from "./kmeGaussianProcess.js";

/** The kernel on embeddings: linear, or gaussian with γ = scale × the median embedding distance. */
export type OuterKernel = { kind: "linear" } | { kind: "gaussian"; scale: number };

/**
 * Settings of `kmeRidge`: the candidate inner bandwidths, outer kernels and ridges that
 * cross-validation chooses among, and its folds.
 */
export interface KmeRidgeOptions {
  /** Inner bandwidths h (absolute); default the median sample distance × `bandwidthScales`. */
  bandwidths?: readonly number[];
  /** Default [0.5, 1, 2]. */
  bandwidthScales?: readonly number[];
  /** Default linear and gaussian with scales 0.5, 1, 2. */
  outer?: readonly OuterKernel[];
  /** λ relative to the mean diagonal of K; default 1e-4 … 1 in decades (float32 inner products
   *  leave smaller ridges numerically indefinite on large N). */
  ridges?: readonly number[];
  /** K of K-fold cross-validation (default 5; at most N). */
  folds?: number;
  /** Seeds the assignment of bags to folds. */
  seed?: number;
  /** Also fit the Gaussian-process reading of the chosen model, for predictive deviations. */
  gaussianProcess?: boolean;
  /** After each candidate (h, outer kernel, λ) of the cross-validation: how many of how many. */
  onCandidate?: (done: number, total: number) => void;
}

/** The hyperparameters cross-validation chose. */
export interface KmeChoice {
  /** h, the gaussian inner kernel's bandwidth of the embeddings μ_P = mean_s k_h(x_s, ·). */
  bandwidth: number;
  /** The kernel on the embeddings. */
  outer: OuterKernel;
  /** The absolute γ of a gaussian outer kernel. */
  width?: number;
  /** λ, relative to the mean diagonal of the kernel matrix. */
  ridge: number;
}

/**
 * What a fitted KME ridge model is, besides its training sets: enough to predict, and to save and
 * rebuild the model exactly (`kmeRidgeFromState`).
 */
export interface KmeRidgeState {
  readonly chosen: KmeChoice;
  /** (N, T) dual coefficients α. */
  readonly alpha: Float64Array;
  /** (T) the training mean Ȳ. */
  readonly mean: Float64Array;
  /** (N) ‖μ̂_j‖² of the training sets at the chosen bandwidth. */
  readonly norms: Float64Array;
  /** The Gaussian-process reading (./kmeGaussianProcess.ts), when it was asked for. */
  readonly gp?: KmeGpState;
}

/**
 * Kernel ridge regression on kernel mean embeddings, fitted by `kmeRidge`: f(Q) = Σ_i α_i K(μ_Q,
 * μ_{P_i}) over the training bags.
 */
export interface KmeRidgeModel {
  /** The hyperparameters cross-validation chose. */
  readonly chosen: KmeChoice;
  /** The cross-validated normalized squared error of the choice (NaN when nothing was compared). */
  readonly validationError: number;
  readonly state: KmeRidgeState;
  /** Predictions (Q, T) row-major for query sets. */
  predict(queries: SampleSets): Float64Array;
  /**
   * Predictions (Q, T) and, with the GP head, predictive standard deviations of the targets
   * (Q, T), noise included.
   */
  predictWithStd(queries: SampleSets): { mean: Float64Array; std?: Float64Array };
}

export const DEFAULT_BANDWIDTH_SCALES = [0.5, 1, 2] as const;
export const DEFAULT_OUTER_KERNELS: readonly OuterKernel[] = [
  { kind: "linear" },
  { kind: "gaussian", scale: 0.5 },
  { kind: "gaussian", scale: 1 },
  { kind: "gaussian", scale: 2 },
];
export const DEFAULT_RIDGES = [1e-4, 1e-3, 1e-2, 1e-1, 1] as const;

/** Squared embedding distances from inner products and squared norms. */
function squaredDistances(
  inner: Float64Array,
  rowNorms: Float64Array,
  columnNorms: Float64Array,
): Float64Array {
  const columns = columnNorms.length;
  return inner.map((v, k) =>
    Math.max(0, rowNorms[Math.floor(k / columns)] + columnNorms[k % columns] - 2 * v),
  );
}

/** The outer kernel's matrix from inner products (and, for gaussian, squared norms and γ). */
function outerMatrix(
  outer: OuterKernel,
  width: number,
  inner: Float64Array,
  rowNorms: Float64Array,
  columnNorms: Float64Array,
): Float64Array {
  if (outer.kind === "linear") return inner;
  const factor = -1 / (2 * width * width);
  return squaredDistances(inner, rowNorms, columnNorms).map((d2) => Math.exp(factor * d2));
}

/** Rows `rows` and columns `columns` of an (n × n) row-major matrix. */
function block(matrix: Float64Array, n: number, rows: number[], columns: number[]): Float64Array {
  const out = new Float64Array(rows.length * columns.length);
  rows.forEach((r, i) =>
    columns.forEach((c, j) => (out[i * columns.length + j] = matrix[r * n + c])),
  );
  return out;
}

/**
 * Ridge coefficients α = (K + λκ̄I)⁻¹ (Y − Ȳ) by Cholesky on the engine (float64), with the mean Ȳ.
 * K (n × n), Y (n × T).
 */
export function ridgeCoefficients(
  gram: Float64Array,
  n: number,
  targets: Float64Array,
  t: number,
  ridge: number,
): { alpha: Float64Array; mean: Float64Array } {
  const mean = new Float64Array(t);
  for (let i = 0; i < n; i++) for (let c = 0; c < t; c++) mean[c] += targets[i * t + c] / n;
  let diagonal = 0;
  for (let i = 0; i < n; i++) diagonal += gram[i * n + i] / n;
  const shift = ridge * (diagonal > 0 ? diagonal : 1);
  const regularized = Float64Array.from(gram);
  for (let i = 0; i < n; i++) regularized[i * n + i] += shift;
  const centred = targets.map((y, k) => y - mean[k % t]);
  const factor = np.linalg.cholesky(fromHost(regularized, [n, n], np.float64), {
    symmetrizeInput: true,
  });
  const half = lax.linalg.triangularSolve(factor.ref, fromHost(centred, [n, t], np.float64), {
    leftSide: true,
    lower: true,
  });
  const alpha = Float64Array.from(
    lax.linalg
      .triangularSolve(factor, half, { leftSide: true, lower: true, transposeA: true })
      .dataSync() as Float64Array,
  );
  check(
    alpha.every(Number.isFinite),
    `the kernel matrix plus ridge is not positive definite at λ = ${ridge}; use a larger ridge`,
  );
  return { alpha, mean };
}

/** The fit, or undefined where the matrix was not numerically positive definite. */
function tryRidge<T>(fit: () => T): T | undefined {
  try {
    return fit();
  } catch (error) {
    if (error instanceof LocalistError) return undefined;
    throw error;
  }
}

/** K(queries, train) α + Ȳ: (Q, T). */
function ridgePredict(
  cross: Float64Array,
  q: number,
  n: number,
  fit: { alpha: Float64Array; mean: Float64Array },
  t: number,
): Float64Array {
  const out = new Float64Array(q * t);
  for (let i = 0; i < q; i++)
    for (let c = 0; c < t; c++) {
      let sum = fit.mean[c];
      for (let j = 0; j < n; j++) sum += cross[i * n + j] * fit.alpha[j * t + c];
      out[i * t + c] = sum;
    }
  return out;
}

/** Σ_c Σ_i (ŷ − y)² / var_c: squared error with every column on the scale of its variance. */
function normalizedError(
  predicted: Float64Array,
  targets: Float64Array,
  rows: number[],
  t: number,
  variances: Float64Array,
): number {
  let error = 0;
  rows.forEach((r, i) => {
    for (let c = 0; c < t; c++)
      error += (predicted[i * t + c] - targets[r * t + c]) ** 2 / variances[c];
  });
  return error;
}

/** A seeded assignment of n bags to K folds of near-equal size. */
function foldsOf(n: number, k: number, seed: number): number[][] {
  const uniform = seededUniform(seed ^ 0x6b6d65);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return Array.from({ length: k }, (_, f) => order.filter((_, i) => i % k === f));
}

/** Host memory the kernel-ridge fit may take: its (N, N) matrices are float64 arrays. */
export const KME_MEMORY_BUDGET_BYTES = 4 * 2 ** 30;

/**
 * Refuses, before any work, a fit whose (N, N) matrices cannot fit the budget: one inner-product
 * matrix per bandwidth, then the squared distances, the pairs of their median (half a matrix, as
 * JavaScript numbers), a Gram matrix and its solve, each N²·8 bytes. 10⁵ bags asked for ~7 GB
 * and ran for minutes before failing, where this says so at once.
 */
export function checkKmeMemory(bags: number, bandwidths: number): void {
  const bytes = bags * bags * 8 * (bandwidths + 3.5);
  if (bytes > KME_MEMORY_BUDGET_BYTES)
    throw new LocalistError(
      `kernel ridge on the embeddings of ${bags.toLocaleString("en-US")} training bags needs about ${(bytes / 2 ** 30).toFixed(1)} GiB (${bandwidths} inner-product matrices of ${bags.toLocaleString("en-US")}² float64 values and the fit's own), more than the ${KME_MEMORY_BUDGET_BYTES / 2 ** 30} GiB budget; use fewer training bags (about ${Math.floor(Math.sqrt(KME_MEMORY_BUDGET_BYTES / (8 * (bandwidths + 3.5)))).toLocaleString("en-US")} fit) or fewer bandwidths`,
    );
}

/** Fits KME + kernel ridge on training sets and targets (N, T), choosing h, the outer kernel and λ. */
export function kmeRidge(
  train: SampleSets,
  targets: Float64Array,
  t: number,
  options: KmeRidgeOptions = {},
): KmeRidgeModel {
  const n = train.count;
  check(n >= 2, `kernel ridge on embeddings needs at least 2 training bags, got ${n}`);
  check(targets.length === n * t, `expected ${n * t} targets, got ${targets.length}`);
  const bandwidths =
    options.bandwidths ??
    (options.bandwidthScales ?? DEFAULT_BANDWIDTH_SCALES).map(
      (s) => s * medianSampleDistance(train),
    );
  const outers = options.outer ?? DEFAULT_OUTER_KERNELS;
  const ridges = options.ridges ?? DEFAULT_RIDGES;
  check(outers.length > 0 && ridges.length > 0, "give at least one outer kernel and one ridge");
  for (const r of ridges) check(Number.isFinite(r) && r > 0, `a ridge must be > 0, got ${r}`);
  checkKmeMemory(n, bandwidths.length);
  const inner = embeddingInnerProducts(train, train, bandwidths);
  const norms = inner.map((matrix) =>
    Float64Array.from({ length: n }, (_, i) => matrix[i * n + i]),
  );
  const widths = inner.map((matrix, k) => {
    const d2 = squaredDistances(matrix, norms[k], norms[k]);
    const pairs: number[] = [];
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) pairs.push(Math.sqrt(d2[i * n + j]));
    const value = median(pairs);
    return value > 0 ? value : 1;
  });
  const variances = new Float64Array(t);
  for (let c = 0; c < t; c++) {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += targets[i * t + c] / n;
    for (let i = 0; i < n; i++) variances[c] += (targets[i * t + c] - mean) ** 2 / n;
    if (!(variances[c] > 0)) variances[c] = 1;
  }
  const candidates: KmeChoice[] = [];
  bandwidths.forEach((bandwidth, k) =>
    outers.forEach((outer) =>
      ridges.forEach((ridge) =>
        candidates.push({
          bandwidth,
          outer,
          ridge,
          ...(outer.kind === "gaussian" ? { width: outer.scale * widths[k] } : {}),
        }),
      ),
    ),
  );
  const gramOf = (choice: KmeChoice) => {
    const k = bandwidths.indexOf(choice.bandwidth);
    return outerMatrix(choice.outer, choice.width ?? 1, inner[k], norms[k], norms[k]);
  };
  let best = { choice: candidates[0], error: NaN };
  if (candidates.length > 1) {
    const folds = foldsOf(n, Math.min(options.folds ?? 5, n), options.seed ?? 0);
    const errors = new Float64Array(candidates.length);
    let previous: { key: string; gram: Float64Array } | undefined;
    candidates.forEach((choice, index) => {
      const key = `${choice.bandwidth}/${JSON.stringify(choice.outer)}`;
      if (previous?.key !== key) previous = { key, gram: gramOf(choice) };
      const gram = previous.gram;
      for (const held of folds) {
        const kept = Array.from({ length: n }, (_, i) => i).filter((i) => !held.includes(i));
        const fit = tryRidge(() =>
          ridgeCoefficients(
            block(gram, n, kept, kept),
            kept.length,
            Float64Array.from(
              kept.flatMap((i) => Array.from(targets.subarray(i * t, (i + 1) * t))),
            ),
            t,
            choice.ridge,
          ),
        );
        if (!fit) {
          errors[index] = Infinity; // not positive definite in float32 at this λ: not a candidate
          continue;
        }
        const predicted = ridgePredict(
          block(gram, n, held, kept),
          held.length,
          kept.length,
          fit,
          t,
        );
        errors[index] += normalizedError(predicted, targets, held, t, variances) / (n * t);
      }
      options.onCandidate?.(index + 1, candidates.length);
    });
    let at = 0;
    errors.forEach((e, i) => {
      if (e < errors[at]) at = i;
    });
    check(
      Number.isFinite(errors[at]),
      "no ridge gave a positive-definite kernel matrix; give larger ridges",
    );
    best = { choice: candidates[at], error: errors[at] };
  }
  const chosen = best.choice;
  const k = bandwidths.indexOf(chosen.bandwidth);
  const gram = gramOf(chosen);
  const fit = ridgeCoefficients(gram, n, targets, t, chosen.ridge);
  const state: KmeRidgeState = {
    chosen,
    alpha: fit.alpha,
    mean: fit.mean,
    norms: norms[k],
    ...(options.gaussianProcess
      ? { gp: kmeGaussianProcess(gram, n, fit.alpha, t, chosen.ridge) }
      : {}),
  };
  return kmeRidgeFromState(train, state, best.error);
}

/**
 * The model of a saved state and its training sets: predictions are the same numbers as the
 * fitted model's, bit for bit (the same inputs meet the same code).
 */
export function kmeRidgeFromState(
  train: SampleSets,
  state: KmeRidgeState,
  validationError = NaN,
): KmeRidgeModel {
  const n = train.count;
  const t = state.mean.length;
  const { chosen } = state;
  check(
    state.alpha.length === n * t && state.norms.length === n,
    `a KME ridge state for ${n} training sets needs ${n * t} coefficients and ${n} norms, got ${state.alpha.length} and ${state.norms.length}`,
  );
  /** The outer kernel between queries and the training sets (Q, N), and the queries' ‖μ̂‖². */
  const crossOf = (queries: SampleSets) => {
    const [cross] = embeddingInnerProducts(queries, train, [chosen.bandwidth]);
    const queryNorms =
      chosen.outer.kind === "gaussian" || state.gp
        ? embeddingSquaredNorms(queries, [chosen.bandwidth])[0]
        : new Float64Array(queries.count);
    const matrix = outerMatrix(chosen.outer, chosen.width ?? 1, cross, queryNorms, state.norms);
    return { matrix, queryNorms };
  };
  const fit = { alpha: state.alpha, mean: state.mean };
  return {
    chosen,
    validationError,
    state,
    predict: (queries) => ridgePredict(crossOf(queries).matrix, queries.count, n, fit, t),
    predictWithStd(queries) {
      const { matrix, queryNorms } = crossOf(queries);
      const mean = ridgePredict(matrix, queries.count, n, fit, t);
      if (!state.gp) return { mean };
      // k(x*, x*): ‖μ̂*‖² for the linear outer kernel, 1 for the gaussian one.
      const self = chosen.outer.kind === "linear" ? queryNorms : queryNorms.map(() => 1);
      return { mean, std: kmeGpStd(state.gp, matrix, self, queries.count, n) };
    },
  };
}
