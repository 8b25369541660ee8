/**
 * The one weighted mean of the project: every method here is "kernel log-weights, then a weighted
 * mean" (docs/math.md#the-local-mean). From log-weights ℓ (…, Q, N) over N keys,
 *
 *   w_ij = exp(ℓ_ij − s_i) / Σ_j exp(ℓ_ij − s_i),   s_i = max_j ℓ_ij,
 *   m_i  = Σ_j w_ij v_j.
 *
 * A key is excluded by ℓ_ij = −∞ (a kernel with compact support, a k-NN indicator) or by
 * `allowed` = false (the causal or window mask of attention). The shift s_i changes nothing
 * mathematically and keeps exp from overflowing.
 *
 * One rule for an empty row (no key left, e.g. the first position under strict causal masking,
 * or a query with no training point inside a compact kernel's support): its weights are all 0,
 * its mean is 0, and its kernel mass Σ_j K_ij is 0. Nothing here produces NaN, in values or in
 * gradients. What an empty row means is the caller's decision: attention leaves the zero output
 * (the query attends to nothing); the classical estimators mark the row NaN so the command line
 * can name it (classical/localMean.ts).
 *
 * The kernel mass in log form, log Σ_j K_ij = s_i + log Σ_j exp(ℓ_ij − s_i) (log-sum-exp), is the
 * unnormalized kernel density at the query (docs/math.md#kernel-density-estimation); it is −∞ on
 * an empty row.
 *
 * Shapes: any leading axes (…), Q queries, N keys, M value columns.
 */
import { np, type JaxArray } from "../engine/engine.js";
import { preciseExp, preciseLog } from "../engine/precise.js";

/**
 * Settings of `kernelWeights` and `weightedMean`: a mask of allowed keys, and full float64
 * precision.
 */
export interface WeightOptions {
  /** Broadcastable to the log-weights (…, Q, N): false excludes a key. */
  allowed?: JaxArray;
  /**
   * Float64 exp (and log) to full precision instead of jax-js's float32-accurate ones
   * (docs/math.md#precise-exp-and-log): about 3× the cost of the exponentials; not for attention.
   */
  precise?: boolean;
}

/**
 * e_ij = exp(ℓ_ij − s_i) with excluded keys at exactly 0, and the row masses Σ_j e_ij (…, Q, 1).
 * The shift of an empty row is 0 (its maximum is −∞), so the row stays 0 instead of NaN.
 * Takes ownership of the log-weights and of `allowed`.
 */
function shiftedExponentials(
  logWeights: JaxArray,
  options: WeightOptions,
): { e: JaxArray; mass: JaxArray; shift: JaxArray } {
  const masked = options.allowed
    ? np.where(options.allowed, logWeights, -Infinity).astype(logWeights.dtype)
    : logWeights;
  const rowMax = np.max(masked.ref, -1, { keepdims: true }); // (…, Q, 1)
  const shift = np.where(np.isneginf(rowMax.ref), 0, rowMax).astype(masked.dtype);
  const shifted = masked.sub(shift.ref);
  const e = options.precise ? preciseExp(shifted) : np.exp(shifted); // (…, Q, N), exp(−∞) = 0
  const mass = e.ref.sum(-1, { keepdims: true }); // (…, Q, 1)
  return { e, mass, shift };
}

/** Σ_j e_ij with empty rows (0) replaced by 1, so dividing by it leaves those rows at 0. */
function safeDenominator(mass: JaxArray): JaxArray {
  return np.where(np.greater(mass.ref, 0), mass, 1).astype(mass.dtype);
}

/** What `kernelWeights` returns: the normalized weights and the kernel mass of each row. */
export interface KernelWeights {
  /** (…, Q, N) w = softmax(ℓ) row by row: each row sums to 1, an empty row is all 0. */
  weights: JaxArray;
  /** (…, Q, 1) Σ_j exp(ℓ_ij − s_i): 0 exactly on an empty row, ≥ 1 otherwise. */
  mass: JaxArray;
}

/** Normalized localization weights. Takes ownership of its arguments. */
export function kernelWeights(logWeights: JaxArray, options: WeightOptions = {}): KernelWeights {
  const { e, mass, shift } = shiftedExponentials(logWeights, options);
  shift.dispose();
  return { weights: e.div(safeDenominator(mass.ref)), mass };
}

/**
 * log Σ_j K_ij = s_i + log Σ_j exp(ℓ_ij − s_i) (log-sum-exp), (…, Q, N) → (…, Q, 1); −∞ on an
 * empty row (no key with positive weight). Takes ownership of its arguments.
 */
export function logKernelMass(logWeights: JaxArray, options: WeightOptions = {}): JaxArray {
  const { e, mass, shift } = shiftedExponentials(logWeights, options);
  e.dispose();
  const logMass = options.precise ? preciseLog(mass) : np.log(mass); // log 0 = −∞
  return shift.add(logMass);
}

/** What `weightedMean` returns: the local mean and the kernel mass of each row. */
export interface WeightedMean {
  /** (…, Q, M) Σ_j w_ij v_j; 0 on an empty row. */
  mean: JaxArray;
  /** (…, Q, 1) as in KernelWeights. */
  mass: JaxArray;
}

/**
 * The weighted mean of `values` (…, N, M) under log-weights (…, Q, N), normalized after the
 * product ((e @ V) / Σe): that divides (Q, M) numbers instead of (Q, N), and a constant V comes
 * back exactly, since both sums see the same weights. Takes ownership of its arguments.
 */
export function weightedMean(
  logWeights: JaxArray,
  values: JaxArray,
  options: WeightOptions = {},
): WeightedMean {
  const { e, mass, shift } = shiftedExponentials(logWeights, options);
  shift.dispose();
  const mean = np.matmul(e, values).div(safeDenominator(mass.ref));
  return { mean, mass };
}
