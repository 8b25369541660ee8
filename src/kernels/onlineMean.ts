/**
 * The weighted mean of ./weightedMean.ts computed one block of keys at a time, in memory that
 * does not grow with the number of keys (the online softmax of FlashAttention;
 * docs/math.md#the-local-mean-in-blocks). After the blocks J₁ … J_k it holds, per query row,
 *
 *   s = max_{j ∈ J₁∪…∪J_k} ℓ_j,   l = Σ_j exp(ℓ_j − s),   a = Σ_j exp(ℓ_j − s) v_j,
 *
 * and a new block J with its own maximum s_J moves them to s' = max(s, s_J):
 *
 *   l' = l·exp(s − s') + Σ_{j∈J} exp(ℓ_j − s'),   a' = a·exp(s − s') + Σ_{j∈J} exp(ℓ_j − s') v_j.
 *
 * The mean is a / l, the same number the one-shot mean gives (the shift s cancels), with the same
 * rule for an empty row: l = 0, mean 0. The running maximum starts at a finite floor instead of
 * −∞ so that exp(s − s') never meets −∞ − (−∞). The shift carries no gradient (stopGradient):
 * the mean does not depend on it, so autodiff needs no path through the maxima.
 *
 * Shapes: any leading axes (…), Q queries, N keys of the block, M value columns.
 */
import { lax, np, type JaxArray } from "../engine/engine.js";

/** Below any real log-weight; exp(FLOOR − s) underflows to 0 for every finite s ≥ FLOOR + 104. */
const FLOOR = -1e30;

export interface OnlineMeanState {
  /** (…, Q, 1) running shift s. */
  shift: JaxArray;
  /** (…, Q, 1) running mass l. */
  mass: JaxArray;
  /** (…, Q, M) running unnormalized sum a. */
  sum: JaxArray;
}

/** The state before any key: s = floor, l = 0, a = 0. */
export function emptyOnlineMean(rows: number[], columns: number, dtype: np.DType): OnlineMeanState {
  return {
    shift: np.full([...rows, 1], FLOOR, { dtype }),
    mass: np.zeros([...rows, 1], { dtype }),
    sum: np.zeros([...rows, columns], { dtype }),
  };
}

/**
 * Folds one block of keys into the state: log-weights (…, Q, N), values (…, N, M), optional
 * `allowed` broadcastable to the log-weights. Takes ownership of everything, including the state.
 */
export function addKeyBlock(
  state: OnlineMeanState,
  logWeights: JaxArray,
  values: JaxArray,
  allowed?: JaxArray,
): OnlineMeanState {
  const dtype = logWeights.dtype;
  const masked = allowed ? np.where(allowed, logWeights, -Infinity).astype(dtype) : logWeights;
  const blockMax = lax.stopGradient(np.max(masked.ref, -1, { keepdims: true }));
  const shift = np.maximum(state.shift.ref, blockMax); // finite: the floor is finite
  const carry = np.exp(state.shift.sub(shift.ref)); // (…, Q, 1) in (0, 1]
  const e = np.exp(masked.sub(shift.ref)); // excluded keys: exp(−∞) = 0
  const mass = state.mass.mul(carry.ref).add(e.ref.sum(-1, { keepdims: true }));
  const sum = state.sum.mul(carry).add(np.matmul(e, values));
  return { shift, mass, sum };
}

/** The mean a / l (0 on an empty row) and the mass l (0 exactly when empty). Takes ownership. */
export function finishOnlineMean(state: OnlineMeanState): { mean: JaxArray; mass: JaxArray } {
  state.shift.dispose();
  const denominator = np
    .where(np.greater(state.mass.ref, 0), state.mass.ref, 1)
    .astype(state.mass.dtype);
  return { mean: state.sum.div(denominator), mass: state.mass };
}
