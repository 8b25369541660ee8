/**
 * The gaussian local mean in two compiled kernels per block of queries
 * (docs/performance.md#classical-methods). For the gaussian kernel the log-weights are an inner
 * product plus two norms,
 *
 *   ℓ_ij = −‖q'_i − x'_j‖²/2 = Σ_d q'_id x'_jd − ‖q'_i‖²/2 − ‖x'_j‖²/2,   q' = q/h, x' = x/h,
 *
 * so the weights K_ij = exp(min(ℓ_ij, 0)) of a block are one elementwise kernel (`blockWeights`),
 * and the sums over the keys one reduction per column (`blockSums`):
 *
 *   S_i = Σ_j K_ij [v_j, 1]      (C, M + 1): the numerators, then the mass.
 *
 * No shift by the row maximum (./weightedMean.ts shifts): ℓ ≤ 0 (clipped there against rounding),
 * so nothing overflows, and a row whose mass is so small that underflowed terms could matter is
 * left to the caller (`trustedMass`), which recomputes it with the shifted weights.
 *
 * In float32 the exponential is `simdExp` below, built from the operations jax-js's Wasm backend
 * vectorizes (jax-js's own exp runs one lane at a time); float64 has no vector path on Wasm, so it
 * uses the engine's exp as ./weightedMean.ts does.
 *
 * Shapes: C queries in a block, N keys, D features, M value columns.
 */
import { jit, np, type JaxArray } from "../engine/engine.js";
import { scaleByBandwidth, type Bandwidth } from "./distance.js";

/** Squarings in `simdExp`: e^x = (e^{x/2^s})^{2^s}. */
const SQUARINGS = 8;
/** e^x is clamped here: 2^−126 ≈ e^−87.34 is float32's smallest normal number. */
const FLOAT32_EXP_FLOOR = -87.3;
/**
 * p(r) ≈ e^r on [−87.3/2^8, 0] = [−0.341, 0], degree 4, coefficients of r^0 … r^4: the
 * interpolant at the 5 Chebyshev nodes of the interval (numpy.polynomial.polynomial.polyfit at
 * the nodes), relative error ≤ 8.7e-8 there, as small as the degree-6 Taylor polynomial's.
 */
const CHEBYSHEV = [
  0.9999999348055136, 0.9999904300420432, 0.4997741280373284, 0.164787073764787,
  0.035177437704166835,
];

/**
 * e^x for x ≤ 0 in float32 with vectorizable operations only (max, multiply, add):
 * e^x ≈ p(x'/2^8)^(2^8), x' = max(x, −87.3), p the degree-4 polynomial above. So x below −87.3
 * (−∞ included) gives e^−87.3 ≈ 1.2e-38, not 0: `trustedMass` allows for it. The squarings
 * multiply p's rounding error by 2^8: relative error ≤ 5.3e-5 (test/classical/gaussianMeanChecks
 * measures it), against ~4e-6 for jax-js's exp, which runs one lane at a time. Takes ownership
 * of x.
 */
export function simdExp(x: JaxArray): JaxArray {
  const r = np.maximum(x, FLOAT32_EXP_FLOOR).mul(1 / 2 ** SQUARINGS);
  const top = CHEBYSHEV.length - 1;
  let p = r.ref.mul(CHEBYSHEV[top]).add(CHEBYSHEV[top - 1]);
  for (let k = top - 2; k >= 0; k--) p = p.mul(r.ref).add(CHEBYSHEV[k]);
  r.dispose();
  for (let i = 0; i < SQUARINGS; i++) p = p.mul(p.ref);
  return p;
}

/**
 * The block's kernel weights K = exp(min(ℓ, 0)) (C, N), compiled once per shape and dtype, with
 * ℓ = −‖q'‖²/2 − ‖x'‖²/2 + Σ_d q'_d x'_d written as D broadcast products instead of a matrix
 * product: then the whole block is one elementwise kernel that the Wasm backend vectorizes,
 * where a (C, D)·(D, N) product with D ≈ 8 costs more than the exponentials (measured).
 * scaled (C, D) = q', keysByFeature (D, N) = x'ᵀ, queryHalfNorms (C, 1), keyHalfNorms (1, N).
 */
const blockWeights = jit(
  (
    scaled: JaxArray,
    keysByFeature: JaxArray,
    queryHalfNorms: JaxArray,
    keyHalfNorms: JaxArray,
  ): JaxArray => {
    const [, d] = scaled.shape;
    let logWeights = queryHalfNorms.add(keyHalfNorms); // (C, N)
    for (let f = 0; f < d; f++) {
      const product = scaled.ref.slice([], [f, f + 1]).mul(keysByFeature.ref.slice([f, f + 1]));
      logWeights = logWeights.add(product); // (C, 1)·(1, N)
    }
    scaled.dispose();
    keysByFeature.dispose();
    logWeights = np.minimum(logWeights, 0);
    return logWeights.dtype === np.float32 ? simdExp(logWeights) : np.exp(logWeights);
  },
);

/**
 * S = K [V, 1] (C, M + 1) as M + 1 sums along the rows of K, each a reduction over contiguous
 * memory (a (C, N)·(N, M + 1) product with M + 1 < 4 columns runs without vector lanes).
 * weights (C, N), weighted (M + 1, N) = [Vᵀ; 1].
 */
const blockSums = jit((weights: JaxArray, weighted: JaxArray): JaxArray => {
  const [columns] = weighted.shape;
  const sums: JaxArray[] = [];
  for (let m = 0; m < columns; m++) {
    sums.push(weights.ref.mul(weighted.ref.slice([m, m + 1])).sum(-1)); // (C)
  }
  weights.dispose();
  weighted.dispose();
  return np.stack(sums, -1);
});

/** −‖x‖²/2 row by row: (R, D) → (R, 1). Takes ownership. */
function halfNorms(x: JaxArray): JaxArray {
  return np.square(x).sum(1, { keepdims: true }).mul(-0.5);
}

/** The keys' side of the fused pass, prepared once for many query blocks. */
export interface GaussianSums {
  /** S (C, M + 1) for one block of queries (C, D): numerators, then the mass. Takes ownership. */
  sums(queries: JaxArray): JaxArray;
  /** Releases the prepared keys and values. */
  dispose(): void;
}

/**
 * Prepares the fused gaussian sums over `keys` (N, D) and `values` (N, M) at `bandwidth`.
 * Takes ownership of keys and values.
 */
export function gaussianSums(keys: JaxArray, values: JaxArray, bandwidth: Bandwidth): GaussianSums {
  const [n] = keys.shape;
  const dtype = values.dtype;
  // Keys padded to a multiple of 4: the backend vectorizes a row broadcast only when the row
  // length is one (N = 20,001 took 3× the time of 20,000). A padding key has ℓ = −∞ and value 0.
  const padding = (4 - (n % 4)) % 4;
  const pad = (x: JaxArray, value: number): JaxArray =>
    padding === 0 ? x : np.concatenate([x, np.full([x.shape[0], padding], value, { dtype })], 1);
  const keysScaled = scaleByBandwidth(keys, bandwidth); // (N, D)
  const keyHalfNorms = pad(halfNorms(keysScaled.ref).reshape([1, n]), -Infinity); // (1, N')
  const keysByFeature = pad(keysScaled.transpose(), 0).add(0); // (D, N'), laid out row by row
  const ones = np.ones([1, n], { dtype });
  const weighted = pad(np.concatenate([values.transpose(), ones]), 0).add(0); // (M + 1, N')
  return {
    sums(queries) {
      const scaled = scaleByBandwidth(queries, bandwidth); // (C, D)
      const queryHalfNorms = halfNorms(scaled.ref); // (C, 1)
      const weights = blockWeights(scaled, keysByFeature.ref, queryHalfNorms, keyHalfNorms.ref);
      return blockSums(weights, weighted.ref);
    },
    dispose() {
      keysByFeature.dispose();
      keyHalfNorms.dispose();
      weighted.dispose();
    },
  };
}

/**
 * Whether a row's mass Σ_j K_ij is large enough that the terms below e^−87.3 ≈ 1.2e-38 (flushed
 * to 0 by the engine's exp, raised to e^−87.3 by `simdExp`) cannot move it by a relative 2^−53:
 * mass ≥ N · e^−87.3 · 2^53 ≈ N · 1e-22. Below that the caller recomputes the row with the
 * row-maximum shift, which keeps the largest weight at 1.
 */
export function trustedMass(mass: number, keys: number): boolean {
  return mass >= keys * Math.exp(FLOAT32_EXP_FLOOR) * 2 ** 53;
}
