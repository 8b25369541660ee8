/**
 * Radial localization kernels K(q, k) = κ(u) with u = ‖(q − k) / h‖, h a bandwidth (one value,
 * or one per feature). Normalizing constants are dropped: they cancel in every local mean (a density
 * needs them: ./normalization.ts). docs/math.md#kernels-as-log-weights gives every profile κ; logs
 * of the compact profiles are float64-precise (docs/math.md#precise-exp-and-log).
 */
import { check } from "../engine/errors.js";
import { np, type JaxArray } from "../engine/engine.js";
import { preciseLog, preciseSin } from "../engine/precise.js";
import { indicatorLogWeights, type LogKernel } from "./logKernel.js";

/**
 * The radial profiles of `distanceKernel`, each a function of u = ‖x − x*‖/h: gaussian e^{−u²/2},
 * epanechnikov 1 − u², tricube (1 − u³)³, uniform 1{u ≤ 1}, laplacian e^{−u}, cosine cos(πu/2),
 * triangular 1 − u (the compact ones zero for u ≥ 1).
 */
export const DISTANCE_PROFILES = [
  "gaussian",
  "epanechnikov",
  "tricube",
  "uniform",
  "laplacian",
  "cosine",
  "triangular",
] as const;
/** The name of a radial profile: one of `DISTANCE_PROFILES`. */
export type DistanceProfile = (typeof DISTANCE_PROFILES)[number];

/** A bandwidth: one positive number, or one per feature column. */
export type Bandwidth = number | readonly number[];

export function checkBandwidth(bandwidth: Bandwidth, features?: number): void {
  const values = typeof bandwidth === "number" ? [bandwidth] : bandwidth;
  check(values.length > 0, "bandwidth must not be empty");
  for (const h of values) {
    check(Number.isFinite(h) && h > 0, `bandwidth must be > 0, got ${String(h)}`);
  }
  if (typeof bandwidth !== "number" && features !== undefined) {
    check(
      bandwidth.length === features,
      `bandwidth has ${bandwidth.length} values but the data has ${features} feature columns`,
    );
  }
}

/** Divides each feature column by its bandwidth. x: (M, D) → (M, D). */
export function scaleByBandwidth(x: JaxArray, bandwidth: Bandwidth): JaxArray {
  if (typeof bandwidth === "number") return x.div(bandwidth);
  const inverse = np.array(
    bandwidth.map((h) => 1 / h),
    { dtype: x.dtype },
  );
  return x.mul(inverse);
}

/**
 * Squared Euclidean distances ‖q_i − k_j‖² = ‖q_i‖² + ‖k_j‖² − 2 q_i·k_j, clipped at 0
 * (the expansion turns the cost into one matrix product). q: (Q, D), k: (N, D) → (Q, N).
 */
export function squaredDistances(queries: JaxArray, keys: JaxArray): JaxArray {
  const queryNorms = np.square(queries.ref).sum(1, { keepdims: true }); // (Q, 1)
  const keyNorms = np.square(keys.ref).sum(1).reshape([1, -1]); // (1, N)
  const cross = np.matmul(queries, keys.transpose()); // (Q, N)
  return np.maximum(queryNorms.add(keyNorms).sub(cross.mul(2)), 0);
}

/** log κ as a function of u² (avoids a square root where the profile allows). */
function logProfile(profile: DistanceProfile, u2: JaxArray): JaxArray {
  const dtype = u2.dtype;
  const inside = (): JaxArray => np.less(u2.ref, 1);
  switch (profile) {
    case "gaussian": // κ(u) = exp(−u²/2)
      return u2.mul(-0.5);
    case "laplacian": // κ(u) = exp(−u)
      return np.sqrt(u2).mul(-1);
    case "uniform": // κ(u) = 1{u ≤ 1}
      return indicatorLogWeights(np.lessEqual(u2, 1), dtype);
    case "epanechnikov": {
      // κ(u) = (1 − u²)₊
      const mask = inside();
      return np.where(mask, preciseLog(np.maximum(np.negative(u2).add(1), 1e-300)), -Infinity);
    }
    case "tricube": {
      // κ(u) = ((1 − u³)₊)³
      const mask = inside();
      const u3 = u2.ref.mul(np.sqrt(u2)); // u²·√u² (exact ops; np.power goes through exp∘log)
      return np.where(
        mask,
        preciseLog(np.maximum(np.negative(u3).add(1), 1e-300)).mul(3),
        -Infinity,
      );
    }
    case "triangular": {
      // κ(u) = (1 − u)₊ (scikit-learn's "linear")
      const mask = inside();
      return np.where(
        mask,
        preciseLog(np.maximum(np.negative(np.sqrt(u2)).add(1), 1e-300)),
        -Infinity,
      );
    }
    case "cosine": {
      // κ(u) = cos(πu/2) = sin(π(1 − u)/2) for u < 1; the sine form keeps relative accuracy
      // near the edge of the support, where the value is small.
      const mask = inside();
      const rest = np.negative(np.sqrt(u2)).add(1);
      return np.where(
        mask,
        preciseLog(np.maximum(preciseSin(rest.mul(Math.PI / 2)), 1e-300)),
        -Infinity,
      );
    }
  }
}

/** A radial kernel with the given profile and bandwidth. */
export function distanceKernel(profile: DistanceProfile, bandwidth: Bandwidth): LogKernel {
  check(
    (DISTANCE_PROFILES as readonly string[]).includes(profile),
    `unknown kernel '${profile}'; expected one of ${DISTANCE_PROFILES.join(", ")}`,
  );
  checkBandwidth(bandwidth);
  const shown =
    typeof bandwidth === "number" ? String(bandwidth) : `[${bandwidth.map(String).join(", ")}]`;
  return {
    name: `${profile}(h=${shown})`,
    ...(profile === "gaussian" ? { gaussian: { bandwidth } } : {}),
    logWeights(queries, keys) {
      const u2 = squaredDistances(
        scaleByBandwidth(queries, bandwidth),
        scaleByBandwidth(keys, bandwidth),
      );
      return logProfile(profile, u2);
    },
  };
}
