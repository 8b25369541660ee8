/**
 * The normalizing constants that the kernel profiles drop (docs/math.md#kernel-density-estimation):
 *
 *   Z_d(κ) = ∫_{ℝ^d} κ(‖x‖) dx = S_{d−1} · ∫_0^∞ κ(r) r^(d−1) dr,   S_{d−1} = 2π^(d/2) / Γ(d/2)
 *
 * (polar coordinates; S_{d−1} is the area of the unit sphere in ℝ^d). With it, c/(N·Πh_k) · Σ_j κ(u_j),
 * c = 1/Z_d, is a probability density. The radial moments have closed forms for every profile.
 */
import { check, checkInteger } from "../engine/errors.js";
import { DISTANCE_PROFILES, type DistanceProfile } from "./distance.js";

/** log Γ(x) for x a positive multiple of ½ (all that d/2 needs), exactly by recursion. */
function logGammaOfHalfInteger(x: number): number {
  let value = Number.isInteger(x) ? 0 : 0.5 * Math.log(Math.PI); // Γ(1) = 1, Γ(½) = √π
  for (let y = Number.isInteger(x) ? 1 : 0.5; y < x; y++) value += Math.log(y);
  return value;
}

/** log S_{d−1}, the area of the unit sphere in ℝ^d. */
export function logUnitSphereArea(dimensions: number): number {
  return Math.log(2) + (dimensions / 2) * Math.log(Math.PI) - logGammaOfHalfInteger(dimensions / 2);
}

/** ∫_0^1 cos(πr/2) r^n dr by parts: J_n = 1/a − (n/a) K_{n−1}, K_n = (n/a) J_{n−1}, a = π/2. */
function cosineMoment(n: number): number {
  const a = Math.PI / 2;
  let cosine = 1 / a; // J_0 = sin(a)/a
  let sine = 1 / a; // K_0 = (1 − cos a)/a
  for (let k = 1; k <= n; k++) {
    const nextCosine = 1 / a - (k / a) * sine;
    sine = (k / a) * cosine;
    cosine = nextCosine;
  }
  return cosine;
}

/** ∫_0^∞ κ(r) r^(d−1) dr for each profile. */
function radialMoment(profile: DistanceProfile, d: number): number {
  switch (profile) {
    case "gaussian": // ∫ e^(−r²/2) r^(d−1) dr = 2^(d/2−1) Γ(d/2)
      return Math.exp((d / 2 - 1) * Math.log(2) + logGammaOfHalfInteger(d / 2));
    case "laplacian": // ∫ e^(−r) r^(d−1) dr = Γ(d)
      return Math.exp(logGammaOfHalfInteger(d));
    case "uniform":
      return 1 / d;
    case "epanechnikov": // 1/d − 1/(d + 2)
      return 2 / (d * (d + 2));
    case "triangular": // 1/d − 1/(d + 1)
      return 1 / (d * (d + 1));
    case "tricube": // Σ_k C(3,k) (−1)^k / (d + 3k)
      return 1 / d - 3 / (d + 3) + 3 / (d + 6) - 1 / (d + 9);
    case "cosine":
      return cosineMoment(d - 1);
  }
}

/**
 * log Z_d(κ) = log ∫_{ℝ^d} κ(‖x‖) dx for a profile in d dimensions: subtracting it (and Σ_k log h_k)
 * from a log kernel mass gives a log density.
 */
export function logKernelIntegral(profile: DistanceProfile, dimensions: number): number {
  check(
    (DISTANCE_PROFILES as readonly string[]).includes(profile),
    `unknown kernel '${profile}'; expected one of ${DISTANCE_PROFILES.join(", ")}`,
  );
  checkInteger("dimensions", dimensions, 1);
  return logUnitSphereArea(dimensions) + Math.log(radialMoment(profile, dimensions));
}
