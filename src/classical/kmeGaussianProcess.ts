/**
 * The Gaussian-process reading of kernel ridge on embeddings (./distributionRidge.ts;
 * docs/math.md#kernel-mean-embeddings-and-ridge): with A = K + s·I, s = λ·κ̄ the ridge shift,
 * ridge regression is the posterior mean of
 *
 *   f ~ GP(0, a·K),   y = f + ε,   ε ~ N(0, a·s),
 *
 * whatever the amplitude a. The predictive variance of a new target is
 *
 *   var y(x*) = a · (k(x*, x*) − ‖L⁻¹ k*‖² + s),     A = L Lᵀ (Cholesky),
 *
 * and a is set by leave-one-out calibration (Sundararajan & Keerthi, Neural Computation 2001):
 * with α = A⁻¹ (Y − Ȳ), bag i's leave-one-out residual is α_i / [A⁻¹]_ii and its variance
 * a / [A⁻¹]_ii, so the a that makes the standardized residuals' mean square 1 is
 *
 *   a_c = (1/N) Σ_i α_ic² / [A⁻¹]_ii            (one per target column c).
 *
 * The mean is the ridge's, so the head costs one more factorization and inverse, O(N³).
 *
 * Shapes: N training sets, Q queries, T target columns.
 */
import { check } from "../engine/errors.js";
import { fromHost, lax, np } from "../engine/engine.js";

/** What the GP head keeps: the Cholesky factor of A, the shift s and the amplitudes a. */
export interface KmeGpState {
  /** (N, N) row-major lower-triangular L with L Lᵀ = K + s·I. */
  readonly factor: Float64Array;
  /** s = λ·κ̄, the ridge shift (the noise variance in units of a). */
  readonly shift: number;
  /** (T) the amplitude a of each target column. */
  readonly amplitude: Float64Array;
}

/** The GP head of kernel ridge with Gram matrix K (N × N), coefficients α (N × T) and ridge λ. */
export function kmeGaussianProcess(
  gram: Float64Array,
  n: number,
  alpha: Float64Array,
  t: number,
  ridge: number,
): KmeGpState {
  let diagonal = 0;
  for (let i = 0; i < n; i++) diagonal += gram[i * n + i] / n;
  const shift = ridge * (diagonal > 0 ? diagonal : 1);
  const shifted = Float64Array.from(gram);
  for (let i = 0; i < n; i++) shifted[i * n + i] += shift;
  const lower = np.linalg.cholesky(fromHost(shifted, [n, n], np.float64), {
    symmetrizeInput: true,
  });
  const inverse = lax.linalg.triangularSolve(
    lower.ref,
    np.eye(n, undefined, { dtype: np.float64 }),
    { leftSide: true, lower: true },
  ); // L⁻¹, (N, N)
  const factor = Float64Array.from(lower.dataSync() as Float64Array);
  // [A⁻¹]_ii = Σ_k (L⁻¹)_ki²: the column sums of squares of L⁻¹.
  const inverseDiagonal = Float64Array.from(np.square(inverse).sum(0).dataSync() as Float64Array);
  check(
    factor.every(Number.isFinite) && inverseDiagonal.every((v) => Number.isFinite(v) && v > 0),
    `the kernel matrix plus ridge is not positive definite at λ = ${ridge}; use a larger ridge`,
  );
  const amplitude = new Float64Array(t);
  for (let i = 0; i < n; i++)
    for (let c = 0; c < t; c++) amplitude[c] += alpha[i * t + c] ** 2 / inverseDiagonal[i] / n;
  for (let c = 0; c < t; c++) if (!(amplitude[c] > 0)) amplitude[c] = Number.MIN_VALUE;
  return { factor, shift, amplitude };
}

/**
 * Predictive standard deviations (Q, T) of the targets at queries, from the outer kernel between
 * queries and training sets `cross` (Q, N) and each query's k(x*, x*) (Q).
 */
export function kmeGpStd(
  gp: KmeGpState,
  cross: Float64Array,
  self: Float64Array,
  q: number,
  n: number,
): Float64Array {
  const t = gp.amplitude.length;
  const solved = lax.linalg.triangularSolve(
    fromHost(gp.factor, [n, n], np.float64),
    fromHost(cross, [q, n], np.float64).transpose(),
    { leftSide: true, lower: true },
  ); // L⁻¹ k*, (N, Q)
  const explained = np.square(solved).sum(0).dataSync() as Float64Array; // ‖L⁻¹ k*‖², (Q)
  const out = new Float64Array(q * t);
  for (let i = 0; i < q; i++) {
    const spread = Math.max(0, self[i] - explained[i]) + gp.shift;
    for (let c = 0; c < t; c++) out[i * t + c] = Math.sqrt(gp.amplitude[c] * spread);
  }
  return out;
}
