/**
 * exp and log to float64 precision on the engine (docs/math.md#precise-exp-and-log).
 *
 * jax-js 0.1.25 evaluates `exp` and `log` on Wasm with float32-accurate approximations even for
 * float64 arrays (measured: `exp` up to 4e-6 relative error on [−40, 20], `log` up to 1.4e-5
 * absolute). Where a result must match a float64 reference to 1e-6 (densities, kernel matrices
 * of kernel ridge and Gaussian processes), these replace them:
 *
 *   exp(x) = e^n · p(x − n),   n = rint(x),  p the Taylor polynomial of degree 14 on [−½, ½]
 *   log(x): y ← y + x·exp(−y) − 1 twice (Newton on exp(y) = x), from jax-js's log
 *   sin(x) = x · Σ_k (−x²)^k/(2k + 1)!,  k ≤ 10, for |x| ≤ π/2 (the cosine kernel's range)
 *
 * e^n comes from a table of Math.exp(n), n = −746 … 709 (the float64 range), gathered by index,
 * so only exact IEEE multiplications and additions touch the argument: relative error ≤ 5e-16
 * (measured). Float32 arrays use jax-js's exp, which is float32-accurate already. Both functions
 * are differentiable (the rounding n carries no gradient).
 */
import { lax, np, type JaxArray } from "./engine.js";

const LOWEST = -746; // e^−746 rounds to 0 in float64
const HIGHEST = 709; // e^710 overflows
const DEGREE = 14; // |f|^15/15! < 1e-16 for |f| ≤ ½ (and < 2e-14 up to the overflow edge)

let table: JaxArray | undefined;
const coefficients = Array.from({ length: DEGREE + 1 }, (_, k) => {
  let factorial = 1;
  for (let j = 2; j <= k; j++) factorial *= j;
  return 1 / factorial;
});

/** e^n for the integers n = LOWEST … HIGHEST, as one float64 array (made once). */
function powersOfE(): JaxArray {
  table ??= np.array(
    Float64Array.from({ length: HIGHEST - LOWEST + 1 }, (_, i) => Math.exp(LOWEST + i)),
    { dtype: np.float64 },
  );
  return table.ref;
}

/** e^x elementwise, to float64 precision for float64 arrays. Takes ownership of x. */
export function preciseExp(x: JaxArray): JaxArray {
  if (x.dtype !== np.float64) return np.exp(x);
  const clipped = np.clip(x.ref, LOWEST - 1, HIGHEST + 1);
  const n = lax.stopGradient(np.clip(np.rint(clipped.ref), LOWEST, HIGHEST));
  const f = clipped.sub(n.ref); // in [−½, ½] except at the ends of the range
  let p = np.fullLike(f.ref, coefficients[DEGREE]);
  for (let k = DEGREE - 1; k >= 0; k--) p = p.mul(f.ref).add(coefficients[k]);
  f.dispose();
  const scale = np.take(powersOfE(), n.sub(LOWEST).astype(np.int32));
  const value = scale.mul(p);
  // Below the range (−∞ included) e^x is 0; above it, +∞; NaN stays NaN.
  const tooSmall = np.less(x.ref, LOWEST);
  const tooLarge = np.greater(x, Math.log(Number.MAX_VALUE));
  return np.where(tooSmall, 0, np.where(tooLarge, Infinity, value)).astype(np.float64);
}

/**
 * x · 2^(200k) with k chosen so that the result lies in [2^−100, 2^100] (jax-js's float64 log
 * returns ±∞ outside the float32 range), and k·200·ln 2, the log to add back. Scaling by a power
 * of two is exact.
 */
function intoLogRange(x: JaxArray): { scaled: JaxArray; offset: JaxArray } {
  let scaled = x;
  let offset = np.zerosLike(scaled.ref);
  for (let pass = 0; pass < 6; pass++) {
    const small = np.less(scaled.ref, 2 ** -100);
    const large = np.greater(scaled.ref, 2 ** 100);
    // Products with plain numbers keep float64 (a `where` of two plain numbers would be float32).
    const up = scaled.ref.mul(2 ** 200);
    const down = scaled.ref.mul(2 ** -200);
    scaled = np.where(small.ref, up, np.where(large.ref, down, scaled));
    offset = offset
      .add(small.astype(np.float64).mul(-200 * Math.LN2))
      .add(large.astype(np.float64).mul(200 * Math.LN2));
  }
  return { scaled, offset };
}

/**
 * log x elementwise for x ≥ 0 (log 0 = −∞, NaN below 0), to float64 precision for float64 arrays:
 * x is scaled by powers of two into jax-js's working range, then two Newton steps on exp(y) = x
 * from jax-js's log (each squares the relative error of e^y). Float32 arrays get one step with
 * jax-js's exp. Takes ownership of x.
 */
export function preciseLog(x: JaxArray): JaxArray {
  const dtype = x.dtype;
  const float64 = dtype === np.float64;
  const regular = np.logicalAnd(np.greater(x.ref, 0), np.less(x.ref, Infinity));
  // Newton runs on positive finite values; 0, ∞, negatives and NaN are set at the end.
  const finite = np.where(regular.ref, x.ref, 1).astype(dtype);
  const { scaled, offset } = float64
    ? intoLogRange(finite)
    : { scaled: finite, offset: np.zerosLike(finite.ref) };
  let y = np.log(scaled.ref);
  for (let step = 0; step < (float64 ? 2 : 1); step++) {
    const e = float64 ? preciseExp(np.negative(y.ref)) : np.exp(np.negative(y.ref));
    y = y.add(scaled.ref.mul(e)).sub(1);
  }
  scaled.dispose();
  const special = np
    .where(np.equal(x.ref, 0), -Infinity, np.where(np.equal(x, Infinity), Infinity, NaN))
    .astype(dtype);
  return np.where(regular, y.add(offset), special).astype(dtype);
}

const SINE_TERMS = 11; // (π/2)^22/23! < 1e-17: the first omitted term, relative to x
const sineCoefficients = Array.from({ length: SINE_TERMS }, (_, k) => {
  let factorial = 1;
  for (let j = 2; j <= 2 * k + 1; j++) factorial *= j;
  return (k % 2 === 0 ? 1 : -1) / factorial;
});

/**
 * sin x elementwise, to float64 precision for float64 arrays with |x| ≤ π/2 (a Taylor polynomial
 * in x², relative error < 1e-15 there); jax-js's sin elsewhere and for float32. Takes ownership.
 */
export function preciseSin(x: JaxArray): JaxArray {
  if (x.dtype !== np.float64) return np.sin(x);
  const x2 = np.square(x.ref);
  let p = np.fullLike(x2.ref, sineCoefficients[SINE_TERMS - 1]);
  for (let k = SINE_TERMS - 2; k >= 0; k--) p = p.mul(x2.ref).add(sineCoefficients[k]);
  x2.dispose();
  const inRange = np.lessEqual(np.absolute(x.ref), Math.PI / 2);
  return np.where(inRange, x.ref.mul(p), np.sin(x)).astype(np.float64);
}
