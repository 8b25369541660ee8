/**
 * Polynomial features of standardized inputs for local fits.
 *
 * Inputs are standardized with the training mean and standard deviation before the monomials are
 * formed; full-degree polynomial spaces are invariant under affine maps, so fitted values do not
 * change, but the normal equations are far better conditioned.
 */
import { check } from "../engine/errors.js";
import { np, type JaxArray } from "../engine/engine.js";

export interface Standardizer {
  readonly mean: JaxArray; // (D)
  readonly scale: JaxArray; // (D)
}

/** Column means and standard deviations of x (N, D); constant columns get scale 1. Borrows x. */
export function fitStandardizer(x: JaxArray): Standardizer {
  const mean = np.mean(x.ref, 0);
  const std = np.std(x.ref, 0);
  const scale = np.where(np.greater(std.ref, 0), std, 1).astype(x.dtype);
  return { mean, scale };
}

/** (x − mean) / scale. Takes ownership of x, borrows the standardizer. */
export function standardize(x: JaxArray, s: Standardizer): JaxArray {
  return x.sub(s.mean.ref).div(s.scale.ref);
}

export function disposeStandardizer(s: Standardizer): void {
  s.mean.dispose();
  s.scale.dispose();
}

/** Number of monomials of total degree ≤ p in d variables: C(d + p, p). */
export function monomialCount(features: number, degree: number): number {
  let count = 1;
  for (let k = 1; k <= degree; k++) count = (count * (features + k)) / k;
  return Math.round(count);
}

/**
 * Monomials of total degree ≤ `degree` (0, 1 or 2): [1, z_a, z_a z_b (a ≤ b)].
 * z: (M, D) → (M, P). Takes ownership of z.
 */
export function polynomialFeatures(z: JaxArray, degree: number): JaxArray {
  check(
    Number.isInteger(degree) && degree >= 0 && degree <= 2,
    `degree must be 0, 1 or 2, got ${degree}`,
  );
  const [m, d] = z.shape;
  const columns: JaxArray[] = [np.ones([m, 1], { dtype: z.dtype })];
  if (degree >= 1) columns.push(z.ref);
  if (degree >= 2) {
    for (let a = 0; a < d; a++) {
      const za = z.ref.slice([], [a, a + 1]);
      columns.push(za.mul(z.ref.slice([], [a, d]))); // z_a · z_b for b ≥ a
    }
  }
  z.dispose();
  return np.concatenate(columns, 1);
}

/** Row-wise outer products φ φᵀ flattened: (N, P) → (N, P·P). Takes ownership. */
export function rowOuterProducts(phi: JaxArray): JaxArray {
  const [n, p] = phi.shape;
  return phi.ref
    .reshape([n, p, 1])
    .mul(phi.reshape([n, 1, p]))
    .reshape([n, p * p]);
}
