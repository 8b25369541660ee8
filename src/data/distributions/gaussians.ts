/**
 * Gaussian families with closed-form targets (docs/math.md#exact-targets-of-the-distribution-tasks):
 *
 * - Rotated 2-D Gaussians (the benchmark of Szabó et al., JMLR 2016, §6.1, and of Deep Sets):
 *   x = R(α) A z, z ~ N(0, I₂), A = diag(1, 2), α ~ U[0, π); the target is the entropy of the
 *   first coordinate, H(x₁) = ½ log(2πe σ₁₁²), σ₁₁² = cos²α + 4 sin²α. (The joint entropy does
 *   not depend on α; the first marginal's does, which makes the task.)
 * - d-dimensional Gaussians: x = μ + Q diag(e^{u/2}) z, μ ~ N(0, I), Q Haar-random, u_i ~ U(−1, 1);
 *   Σ = Q diag(e^u) Qᵀ and the target is log det Σ = Σ_i u_i.
 */
import { randomOrthogonal, uniformBetween, type Rng } from "./sampling.js";

export interface RotatedGaussian {
  readonly angle: number;
}

export const ROTATED_SCALES = [1, 2] as const;

export function drawRotatedGaussian(rng: Rng): RotatedGaussian {
  return { angle: uniformBetween(rng, 0, Math.PI) };
}

/** σ₁₁² of R(α) diag(1, 4) R(α)ᵀ. */
export function rotatedFirstVariance({ angle }: RotatedGaussian): number {
  const [a, b] = ROTATED_SCALES;
  return (a * Math.cos(angle)) ** 2 + (b * Math.sin(angle)) ** 2;
}

/** H(x₁) = ½ log(2πe σ₁₁²). */
export function rotatedFirstEntropy(gaussian: RotatedGaussian): number {
  return 0.5 * Math.log(2 * Math.PI * Math.E * rotatedFirstVariance(gaussian));
}

/** One sample (x₁, x₂) = R(α) diag(1, 2) z into out[offset…offset+1]. */
export function sampleRotatedGaussian(
  { angle }: RotatedGaussian,
  rng: Rng,
  out: Float64Array,
  offset: number,
): void {
  const [a, b] = ROTATED_SCALES;
  const z1 = a * rng.normal();
  const z2 = b * rng.normal();
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  out[offset] = c * z1 - s * z2;
  out[offset + 1] = s * z1 + c * z2;
}

export interface GaussianD {
  readonly mean: Float64Array;
  /** Q (d × d, row-major), orthogonal. */
  readonly rotation: Float64Array;
  /** u: Σ = Q diag(e^u) Qᵀ. */
  readonly logEigenvalues: Float64Array;
}

export function drawGaussianD(rng: Rng, d: number): GaussianD {
  const mean = Float64Array.from({ length: d }, () => rng.normal());
  const rotation = randomOrthogonal(rng, d);
  const logEigenvalues = Float64Array.from({ length: d }, () => uniformBetween(rng, -1, 1));
  return { mean, rotation, logEigenvalues };
}

/** log det Σ = Σ_i u_i. */
export function gaussianLogDet(gaussian: GaussianD): number {
  return gaussian.logEigenvalues.reduce((a, b) => a + b, 0);
}

/** Σ = Q diag(e^u) Qᵀ, row-major. */
export function gaussianCovariance({ rotation: q, logEigenvalues: u }: GaussianD): Float64Array {
  const d = u.length;
  const sigma = new Float64Array(d * d);
  for (let i = 0; i < d; i++)
    for (let j = 0; j < d; j++) {
      let sum = 0;
      for (let k = 0; k < d; k++) sum += q[i * d + k] * Math.exp(u[k]) * q[j * d + k];
      sigma[i * d + j] = sum;
    }
  return sigma;
}

/** One sample μ + Q diag(e^{u/2}) z into out[offset…offset+d−1]. */
export function sampleGaussianD(
  { mean, rotation: q, logEigenvalues: u }: GaussianD,
  rng: Rng,
  out: Float64Array,
  offset: number,
): void {
  const d = u.length;
  const z = Array.from({ length: d }, (_, k) => Math.exp(u[k] / 2) * rng.normal());
  for (let i = 0; i < d; i++) {
    let sum = mean[i];
    for (let k = 0; k < d; k++) sum += q[i * d + k] * z[k];
    out[offset + i] = sum;
  }
}
