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

/**
 * A batched weighted polynomial least-squares model over training data x (N, D), y (N, M).
 * Takes ownership of x and y.
 */
export function weightedPolynomialModel(x: JaxArray, y: JaxArray, degree: number): WeightedModel {
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
    fitPredict(weights, queries) {
      const [c] = weights.shape;
      const gram = np.matmul(weights.ref, gramTerms.ref).reshape([c, p, p]);
      const moments = np.matmul(weights, momentTerms.ref).reshape([c, p, targets]);
      const beta = np.linalg.solve(gram, moments); // (C, P, M)
      const phiQuery = polynomialFeatures(standardize(queries, standardizer), degree); // (C, P)
      return phiQuery.reshape([c, p, 1]).mul(beta).sum(1); // (C, M)
    },
    dispose() {
      gramTerms.dispose();
      momentTerms.dispose();
      disposeStandardizer(standardizer);
    },
  };
}
