/**
 * Rule-of-thumb bandwidths, one per feature: h_k = c(n, d) · σ_k with σ_k the sample standard
 * deviation of column k, and the factors of scipy's gaussian_kde (docs/math.md#bandwidth-rules):
 *   Scott:     c = n^(−1/(d+4))
 *   Silverman: c = (n·(d+2)/4)^(−1/(d+4))
 */
import { check } from "../engine/errors.js";
import { np, toFloat64, type JaxArray } from "../engine/engine.js";

/** Sample standard deviation (ddof = 1) of each column of x: (N, D) → D numbers. Borrows x. */
export function columnStandardDeviations(x: JaxArray): number[] {
  const [n] = x.shape;
  check(n >= 2, `a bandwidth rule needs at least 2 training rows, got ${n}`);
  const sigma = Array.from(toFloat64(np.std(x.ref, 0, { correction: 1 })));
  sigma.forEach((s, k) =>
    check(s > 0, `feature column ${k} is constant; a bandwidth rule cannot scale it`),
  );
  return sigma;
}

/**
 * Scott's rule, one bandwidth per feature column: h_d = σ_d · N^{−1/(D+4)}, σ_d the sample standard
 * deviation (ddof 1) of column d of x (N, D). Borrows x; throws on fewer than 2 rows or a constant
 * column.
 */
export function scottBandwidth(x: JaxArray): number[] {
  const [n, d] = x.shape;
  const factor = Math.pow(n, -1 / (d + 4));
  return columnStandardDeviations(x).map((s) => factor * s);
}

/**
 * Silverman's rule, one bandwidth per feature column: h_d = σ_d · (N(D + 2)/4)^{−1/(D+4)}, σ_d the
 * sample standard deviation (ddof 1) of column d of x (N, D). Borrows x; throws on fewer than 2
 * rows or a constant column.
 */
export function silvermanBandwidth(x: JaxArray): number[] {
  const [n, d] = x.shape;
  const factor = Math.pow((n * (d + 2)) / 4, -1 / (d + 4));
  return columnStandardDeviations(x).map((s) => factor * s);
}
