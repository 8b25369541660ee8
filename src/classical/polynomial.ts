/**
 * Weighted least squares on polynomial features, and through the localization trick, local
 * polynomial regression (degree 0 = Nadaraya–Watson, 1 = local linear, 2 = local quadratic;
 * docs/math.md#the-localization-trick):
 *
 *   β̂(x*) = (Φᵀ W Φ)⁻¹ Φᵀ W y,   ŷ(x*) = φ(x*)·β̂(x*),   W = diag(K(x*, x_i) / Σ K).
 *
 * The normal-equation pieces are batched over a chunk of C queries as two matrix products,
 * W @ (φφᵀ) → (C, P, P) and W @ (φ yᵀ) → (C, P, M), then one batched solve.
 */
import { check } from "../engine/errors.js";
import { np, type JaxArray } from "../engine/engine.js";
import {
  disposeStandardizer,
  fitStandardizer,
  polynomialFeatures,
  rowOuterProducts,
  standardize,
  type Standardizer,
} from "./features.js";
import type { WeightedModel } from "./localize.js";

/** Batched weighted polynomial least squares, as coefficients (the pieces of the model below). */
export interface WeightedPolynomialFit {
  readonly trainingRows: number;
  readonly features: number;
  /** P, the number of monomials. */
  readonly terms: number;
  /** M, the number of target columns. */
  readonly targets: number;
  /** The input standardization the features use (owned by the fit). */
  readonly standardizer: Standardizer;
  /** β̂ for each row of `weights` (C, N), rows summing to 1: (C, P, M). Takes ownership. */
  coefficients(weights: JaxArray): JaxArray;
  /** φ(z(queries)): (C, D) → (C, P). Takes ownership. */
  featuresOf(queries: JaxArray): JaxArray;
  dispose(): void;
}

/**
 * Weighted polynomial least squares over training data x (N, D), y (N, M): the normal-equation
 * terms are computed once, each call to `coefficients` is two matrix products and a batched solve.
 * Takes ownership of x and y.
 */
export function weightedPolynomialFit(
  x: JaxArray,
  y: JaxArray,
  degree: number,
): WeightedPolynomialFit {
  const [n, d] = x.shape;
  check(y.shape[0] === n, `targets have ${y.shape[0]} rows but inputs have ${n}; they must match`);
  const targets = y.shape[1];
  const standardizer: Standardizer = fitStandardizer(x);
  const phi = polynomialFeatures(standardize(x, standardizer), degree); // (N, P)
  const p = phi.shape[1];
  const gramTerms = rowOuterProducts(phi.ref); // (N, P·P)
  const momentTerms = phi
    .reshape([n, p, 1])
    .mul(y.reshape([n, 1, targets]))
    .reshape([n, -1]); // (N, P·M)
  return {
    trainingRows: n,
    features: d,
    terms: p,
    targets,
    standardizer,
    coefficients(weights) {
      const [c] = weights.shape;
      const gram = np.matmul(weights.ref, gramTerms.ref).reshape([c, p, p]);
      const moments = np.matmul(weights, momentTerms.ref).reshape([c, p, targets]);
      return np.linalg.solve(gram, moments); // (C, P, M)
    },
    featuresOf(queries) {
      return polynomialFeatures(standardize(queries, standardizer), degree);
    },
    dispose() {
      gramTerms.dispose();
      momentTerms.dispose();
      disposeStandardizer(standardizer);
    },
  };
}

/**
 * A batched weighted polynomial least-squares model over training data x (N, D), y (N, M), for
 * the localization trick. Takes ownership of x and y.
 */
export function weightedPolynomialModel(x: JaxArray, y: JaxArray, degree: number): WeightedModel {
  const fit = weightedPolynomialFit(x, y, degree);
  return {
    trainingRows: fit.trainingRows,
    features: fit.features,
    fitPredict(weights, queries) {
      const [c] = weights.shape;
      const beta = fit.coefficients(weights); // (C, P, M)
      return fit.featuresOf(queries).reshape([c, fit.terms, 1]).mul(beta).sum(1); // (C, M)
    },
    dispose: () => fit.dispose(),
  };
}
