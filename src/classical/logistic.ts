/**
 * Weighted binary logistic regression, batched: one fit per row of a weight matrix, by Newton's
 * method (iteratively reweighted least squares) with a small ridge term for separable data:
 *
 *   maximize Σ_i w_i [y_i log p_i + (1 − y_i) log(1 − p_i)] − (ρ/2)‖β_{1:}‖²,  p_i = σ(φ(x_i)·β)
 *   β ← β + H⁻¹ g,   g = Φᵀ W (y − p) − ρβ,   H = Φᵀ W diag(p(1 − p)) Φ + ρI
 *
 * Localized with `localize`, it is local logistic regression (docs/math.md#the-localization-trick).
 */
import { check } from "../engine/errors.js";
import { fromHost, nn, np, type JaxArray } from "../engine/engine.js";
import {
  disposeStandardizer,
  fitStandardizer,
  polynomialFeatures,
  rowOuterProducts,
  standardize,
} from "./features.js";
import type { WeightedModel } from "./localize.js";

/** Settings of `weightedLogisticModel`: the ridge on the coefficients and the Newton iterations. */
export interface LogisticOptions {
  /** Ridge strength ρ on the non-intercept coefficients (in units of total weight 1). */
  ridge?: number;
  /** Newton iterations (each is one batched solve). */
  iterations?: number;
}

/**
 * Batched weighted logistic regression on x (N, D) with labels y ∈ {0, 1} (N).
 * `fitPredict` returns P(y = 1 | x*) as (C, 1). Takes ownership of x.
 */
export function weightedLogisticModel(
  x: JaxArray,
  labels: ArrayLike<number>,
  options: LogisticOptions = {},
): WeightedModel {
  const { ridge = 1e-4, iterations = 25 } = options;
  const [n, d] = x.shape;
  check(labels.length === n, `labels have ${labels.length} rows but inputs have ${n}`);
  for (let i = 0; i < n; i++) {
    check(
      labels[i] === 0 || labels[i] === 1,
      `logistic labels must be 0 or 1, row ${i + 1} has ${labels[i]}`,
    );
  }
  const standardizer = fitStandardizer(x);
  const phi = polynomialFeatures(standardize(x, standardizer), 1); // (N, P)
  const p = d + 1;
  const outer = rowOuterProducts(phi.ref); // (N, P·P)
  const y = fromHost(labels, [1, n], phi.dtype); // (1, N)
  // ρ on every coefficient but the intercept: the vector (0, ρ, …, ρ) and diag of it.
  const penalty = np.array(
    Array.from({ length: p }, (_, k) => (k === 0 ? 0 : ridge)),
    { dtype: phi.dtype },
  ); // (P)
  const ridgeDiagonal = np.eye(p, undefined, { dtype: phi.dtype }).mul(penalty.ref); // (P, P)
  return {
    trainingRows: n,
    features: d,
    fitPredict(weights, queries) {
      const [c] = weights.shape;
      let beta = np.zeros([c, p], { dtype: phi.dtype });
      for (let step = 0; step < iterations; step++) {
        const prob = nn.sigmoid(np.matmul(beta.ref, phi.ref.transpose())); // (C, N)
        const residual = weights.ref.mul(y.ref.sub(prob.ref)); // (C, N)
        const gradient = np.matmul(residual, phi.ref).sub(beta.ref.mul(penalty.ref)); // (C, P)
        const curvature = weights.ref.mul(prob.ref.mul(np.negative(prob).add(1))); // (C, N)
        const hessian = np.matmul(curvature, outer.ref).reshape([c, p, p]).add(ridgeDiagonal.ref);
        const stepVector = np.linalg.solve(hessian, gradient.reshape([c, p, 1])).reshape([c, p]);
        beta = beta.add(stepVector);
      }
      weights.dispose();
      const phiQuery = polynomialFeatures(standardize(queries, standardizer), 1); // (C, P)
      return nn.sigmoid(phiQuery.mul(beta).sum(1, { keepdims: true }));
    },
    dispose() {
      phi.dispose();
      outer.dispose();
      y.dispose();
      ridgeDiagonal.dispose();
      penalty.dispose();
      disposeStandardizer(standardizer);
    },
  };
}
