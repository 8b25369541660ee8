/**
 * Takagi–Sugeno–Kang fuzzy inference (docs/math.md#fuzzy-rules-tsk). Rule r reads
 * "if x is near c_r then y = f_r(x)", with a gaussian membership and a linear consequent:
 *
 *   μ_r(x) = exp(−½ ‖(x − c_r)/σ‖²),   w_r(x) = μ_r(x) / Σ_s μ_s(x),   f_r(x) = β_rᵀ φ(x),
 *   y(x)   = Σ_r w_r(x) f_r(x).
 *
 * The normalized firing strengths w_r(x) are the localization weights of a local mean over the
 * rules (softmax of the gaussian kernel's log-weights between x and the centres), and each
 * consequent is fitted by the localization trick: weighted least squares with the rule's firing
 * strengths at the training points as weights,
 *
 *   β_r = argmin_β Σ_i w_r(x_i) (y_i − βᵀφ(x_i))².
 *
 * With one rule every weight is 1 and the consequent is the global least-squares fit. Centres come
 * from k-means (seeded) or from the caller; σ is one width or one per feature.
 */
import { check, checkInteger } from "../engine/errors.js";
import { np, type JaxArray } from "../engine/engine.js";
import { checkBandwidth, distanceKernel, type Bandwidth } from "../kernels/distance.js";
import { kernelWeights } from "../kernels/weightedMean.js";
import { kMeans } from "./kMeans.js";
import { weightedPolynomialFit } from "./polynomial.js";
import { runReads, runReadsAsync, type Reads } from "./chunks.js";

/** Settings of `tskModel`: the membership widths, and the rule centres or how to choose them. */
export interface TskOptions {
  /** σ > 0, the membership widths: one, or one per feature. */
  width: Bandwidth;
  /** Rule centres (R, D); without them, k-means chooses `rules` centres. */
  centres?: JaxArray;
  /** R, the number of rules for k-means (default 3). */
  rules?: number;
  /** Seed of k-means (default 0). */
  seed?: number;
  /** Consequent degree: 1 (linear, default) or 0 (constants: a normalized RBF network). */
  degree?: 0 | 1;
}

/**
 * A fitted Takagi–Sugeno–Kang fuzzy system: R rules with gaussian memberships around their centres,
 * firing strengths normalized to sum to 1 (a softmax of kernel log-weights), and per rule a linear
 * (or constant) consequent fitted by weighted least squares.
 */
export interface TskModel {
  /** R, the number of rules. */
  readonly rules: number;
  /** D, the input features. */
  readonly features: number;
  /** (R·D) the rule centres, row-major. */
  readonly centres: Float64Array;
  /**
   * The consequents in the original units, (R, 1 + D, M) row-major: for rule r and target m the
   * intercept, then one slope per feature (slopes 0 for degree 0).
   */
  readonly consequents: Float64Array;
  /** Normalized firing strengths w_r(x): (Q, D) → (Q, R). Takes ownership. */
  firing(queries: JaxArray): JaxArray;
  /** y(x) = Σ_r w_r(x) f_r(x): (Q, D) → (Q, M). Takes ownership. */
  predict(queries: JaxArray): JaxArray;
  /** Frees the arrays the model holds. */
  dispose(): void;
}

/**
 * Fits a TSK system on x (N, D) and y (N, M), on the calling thread (`tskModelAsync`: the same on
 * the threads); takes ownership of x, y and `centres`.
 */
export function tskModel(x: JaxArray, y: JaxArray, options: TskOptions): TskModel {
  return runReads(tskReads(x, y, options));
}

/**
 * `tskModel` on the engine's compute threads (the consequent fits read asynchronously); the same
 * model. k-means, when it chooses the centres, stays on the calling thread (kMeans has no reads
 * form; its R centres are a small part of the fit). Takes ownership of x, y and `centres`.
 */
export function tskModelAsync(x: JaxArray, y: JaxArray, options: TskOptions): Promise<TskModel> {
  return runReadsAsync(tskReads(x, y, options));
}

/** The fit of `tskModel`, written once for both ways of reading (chunks.ts, `Reads`). */
function* tskReads(x: JaxArray, y: JaxArray, options: TskOptions): Reads<TskModel> {
  const { width, rules: ruleCount = 3, seed = 0, degree = 1 } = options;
  const [n, d] = x.shape;
  check(y.shape[0] === n, `targets have ${y.shape[0]} rows but inputs have ${n}; they must match`);
  checkBandwidth(width, d);
  check(degree === 0 || degree === 1, `the consequent degree must be 0 or 1, got ${degree}`);
  let centres: JaxArray;
  if (options.centres) {
    centres = options.centres;
    check(
      centres.shape[1] === d,
      `the rule centres have ${centres.shape[1]} columns but the data has ${d} features`,
    );
    check(centres.shape[0] >= 1, "a fuzzy system needs at least one rule centre");
  } else {
    checkInteger("rules", ruleCount, 1);
    check(
      ruleCount <= n,
      `${ruleCount} rules need at least ${ruleCount} training rows; the data has ${n}`,
    );
    centres = kMeans(x, ruleCount, { seed }).centres;
  }
  const r = centres.shape[0];
  const m = y.shape[1];
  const membership = distanceKernel("gaussian", width); // log μ_r(x) = −½‖(x − c_r)/σ‖²
  const firing = (queries: JaxArray) => {
    const { weights, mass } = kernelWeights(membership.logWeights(queries, centres.ref), {
      precise: true,
    });
    mass.dispose();
    return weights;
  };

  // Localization trick: rule r's weights are its firing strengths at the training points.
  const trainingFiring = firing(x.ref); // (N, R)
  const ruleWeights = trainingFiring.transpose(); // (R, N)
  const fit = weightedPolynomialFit(x, y, degree);
  const beta = fit.coefficients(ruleWeights.ref.div(ruleWeights.sum(1, { keepdims: true }))); // (R, P, M)
  const betaHost = Float64Array.from(yield beta.ref);
  check(
    betaHost.every(Number.isFinite),
    "a rule's consequent fit is singular (its firing strengths weight too few distinct points); " +
      "use fewer rules or wider memberships",
  );
  const standardizer = {
    mean: Float64Array.from(yield fit.standardizer.mean.ref),
    scale: Float64Array.from(yield fit.standardizer.scale.ref),
  };
  const consequents = originalUnits(betaHost, standardizer, r, d, m, degree);
  const centresHost = Float64Array.from(yield centres.ref);
  return {
    rules: r,
    features: d,
    centres: centresHost,
    consequents,
    firing,
    predict(queries) {
      const q = queries.shape[0];
      check(
        queries.shape[1] === d,
        `queries have ${queries.shape[1]} features but the training data has ${d}`,
      );
      const weights = firing(queries.ref); // (Q, R)
      const phi = fit.featuresOf(queries); // (Q, P)
      const p = fit.terms;
      // f_r(x_q) for every query and rule: (Q, P) @ (P, R·M) → (Q, R, M).
      const values = np
        .matmul(phi, beta.ref.transpose([1, 0, 2]).reshape([p, r * m]))
        .reshape([q, r, m]);
      return weights.reshape([q, r, 1]).mul(values).sum(1); // (Q, M)
    },
    dispose() {
      centres.dispose();
      beta.dispose();
      fit.dispose();
    },
  };
}

/**
 * Consequents from standardized units (z = (x − μ)/s) to the original ones:
 * b₀ + Σ_k b_k (x_k − μ_k)/s_k = (b₀ − Σ_k b_k μ_k/s_k) + Σ_k (b_k/s_k) x_k.
 */
function originalUnits(
  beta: Float64Array, // (R, P, M), P = 1 or 1 + D
  { mean, scale }: { mean: Float64Array; scale: Float64Array }, // the standardizer's μ and s
  r: number,
  d: number,
  m: number,
  degree: number,
): Float64Array {
  const p = degree === 0 ? 1 : 1 + d;
  const out = new Float64Array(r * (1 + d) * m);
  for (let rule = 0; rule < r; rule++)
    for (let t = 0; t < m; t++) {
      const at = (term: number) => beta[(rule * p + term) * m + t];
      let intercept = at(0);
      for (let k = 0; k < d && degree === 1; k++) {
        const slope = at(1 + k) / scale[k];
        intercept -= slope * mean[k];
        out[(rule * (1 + d) + 1 + k) * m + t] = slope;
      }
      out[rule * (1 + d) * m + t] = intercept;
    }
  return out;
}
