/**
 * Localization kernels as log-weights.
 *
 * A kernel K(q, k) ≥ 0 is represented by ℓ(i, j) = log K(q_i, k_j), with −∞ for "excluded".
 * Then a product of kernels is a sum of log-weights, a power K^λ is λ·ℓ, and a local mean is
 * softmax(ℓ) @ V (docs/math.md#kernels-as-log-weights) — one code path for smoothers, neighbours and attention.
 *
 * Shapes: Q queries, N keys, D features.
 */
import { np, type JaxArray } from "../engine/engine.js";
import { preciseExp } from "../engine/precise.js";

/**
 * A localization kernel as log-weights: ℓ(x*, x) = log K(x*, x), so a method forms softmax(ℓ) over
 * the keys and a weighted mean. Kernels are combined by adding log-weights (`productKernel`),
 * scaling them (`powerKernel`) or restricting them to columns (`onColumns`).
 */
export interface LogKernel {
  /** A readable description, e.g. "gaussian(h=0.5)". */
  readonly name: string;
  /**
   * ℓ(i, j) = log K(queries_i, keys_j).
   * Takes ownership of both arguments (jax-js convention: pass `.ref` to keep yours).
   * @param queries (Q, D)
   * @param keys (N, D)
   * @returns (Q, N)
   */
  logWeights(queries: JaxArray, keys: JaxArray): JaxArray;
  /**
   * Set on the gaussian distance kernel, whose ℓ = −‖(q − k)/h‖²/2 lets a local mean run as two
   * compiled kernels per block (./gaussianSums.ts), with its bandwidth h (distance.ts's
   * `Bandwidth`); absent on every other kernel, combinations included.
   */
  readonly gaussian?: { readonly bandwidth: number | readonly number[] };
}

/**
 * Log-weights of an indicator kernel: 0 where `mask` holds, −∞ elsewhere, in `dtype` (a `where`
 * of two plain numbers would otherwise come out float32). Takes ownership of mask.
 */
export function indicatorLogWeights(mask: JaxArray, dtype: np.DType): JaxArray {
  return np.where(mask, 0, -Infinity).astype(dtype);
}

/**
 * The kernel's values K(q_i, k_j) = exp ℓ(i, j), float64-precise (docs/math.md#precise-exp-and-log):
 * the Gram matrix of kernel ridge and Gaussian processes. queries (Q, D), keys (N, D) → (Q, N).
 * Takes ownership of both.
 */
export function kernelMatrix(kernel: LogKernel, queries: JaxArray, keys: JaxArray): JaxArray {
  return preciseExp(kernel.logWeights(queries, keys));
}

/** Product of kernels: ℓ = Σ_k ℓ_k (each factor sees the same queries and keys). */
export function productKernel(...factors: LogKernel[]): LogKernel {
  if (factors.length === 0) throw new Error("productKernel needs at least one factor");
  return {
    name: factors.map((f) => f.name).join(" × "),
    logWeights(queries, keys) {
      let total: JaxArray | undefined;
      for (const [index, factor] of factors.entries()) {
        const last = index === factors.length - 1;
        const term = factor.logWeights(last ? queries : queries.ref, last ? keys : keys.ref);
        total = total === undefined ? term : total.add(term);
      }
      return total as JaxArray;
    },
  };
}

/**
 * Power of a kernel: K^λ, i.e. ℓ ↦ λ·ℓ, used as a dial (λ = 0 flattens, λ = 1 is K itself).
 * Excluded pairs (ℓ = −∞) stay excluded for λ > 0; for λ = 0 every pair gets weight 1, since
 * 0·(−∞) is undefined and "dial off" means no localization at all.
 */
export function powerKernel(kernel: LogKernel, exponent: number): LogKernel {
  if (!(Number.isFinite(exponent) && exponent >= 0)) {
    throw new Error(`kernel exponent must be a finite number ≥ 0, got ${exponent}`);
  }
  return {
    name: `(${kernel.name})^${exponent}`,
    logWeights(queries, keys) {
      const logW = kernel.logWeights(queries, keys);
      if (exponent === 0) return np.zerosLike(logW);
      if (exponent === 1) return logW;
      return np.where(np.isneginf(logW.ref), -Infinity, logW.mul(exponent));
    },
  };
}

/** Applies `kernel` to a subset of feature columns (e.g. a block kernel on a label column). */
export function onColumns(kernel: LogKernel, columns: readonly number[]): LogKernel {
  const index = np.array(Int32Array.from(columns), { dtype: np.int32 });
  return {
    name: `${kernel.name}[cols ${columns.join(",")}]`,
    logWeights(queries, keys) {
      return kernel.logWeights(np.take(queries, index.ref, 1), np.take(keys, index.ref, 1));
    },
  };
}
