/**
 * The losses of the set models: squared error on (standardized) targets for regression tasks, and
 * the mixture negative log-likelihood of amortized clustering (docs/math.md#exact-targets-of-the-distribution-tasks):
 *
 *   L = −(1/B) Σ_b (1/m_b) Σ_s log Σ_k π_bk Π_j N(x_bsj; μ_bkj, σ_bkj²)
 *
 * with, per component, raw outputs [logit, μ (d), s (d)], π = softmax(logits), σ = softplus(s) +
 * 10⁻³ (as the host-side ../data/distributions/clustering.ts reads them).
 *
 * Shapes: B bags, M members, d features, K components, T targets.
 */
import { nn, np, type JaxArray } from "../engine/engine.js";

/** mean((ŷ − y)²) over (B, T). Takes ownership of both. */
export function meanSquaredError(predictions: JaxArray, targets: JaxArray): JaxArray {
  return np.square(predictions.sub(targets)).mean();
}

/**
 * The mixture NLL per point, averaged over bags. raw: (B, K·(1 + 2d)); x: (B, M, d); valid:
 * (B, M). Takes ownership of all three.
 */
export function mixtureNegativeLogLikelihood(
  raw: JaxArray,
  x: JaxArray,
  valid: JaxArray,
  components: number,
): JaxArray {
  const [b, m, d] = x.shape;
  const k = components;
  const parts = raw.reshape([b, k, 1 + 2 * d]);
  const logits = parts.ref.slice([], [], [0, 1]).reshape([b, k]); // (B, K)
  const logWeights = logits.ref.sub(nn.logsumexp(logits, -1, { keepdims: true })); // (B, K)
  const means = parts.ref.slice([], [], [1, 1 + d]).reshape([b, 1, k, d]);
  const sds = nn
    .softplus(parts.slice([], [], [1 + d, 1 + 2 * d]))
    .add(1e-3)
    .reshape([b, 1, k, d]);
  const z = x.reshape([b, m, 1, d]).sub(means).div(sds.ref); // (B, M, K, d)
  const perComponent = np
    .square(z)
    .mul(-0.5)
    .sub(np.log(sds))
    .sub(0.5 * Math.log(2 * Math.PI))
    .sum(-1)
    .add(logWeights.reshape([b, 1, k])); // (B, M, K)
  const logLikelihood = nn.logsumexp(perComponent, -1); // (B, M)
  const perBag = logLikelihood
    .mul(valid.ref)
    .sum(1)
    .div(np.maximum(valid.sum(1), 1)); // (B)
  return perBag.mean().mul(-1);
}
