/**
 * Deep Sets (Zaheer et al. 2017; docs/math.md#deep-sets): a per-sample MLP φ, mean pooling and an
 * MLP ρ, the fully connected baseline of distribution regression:
 *
 *   f(bag) = ρ( (1/m) Σ_s φ(x_s) ),   φ = GELU layers of width D,   ρ(u) = W₂ GELU(W₁ u + b₁) + b₂.
 *
 * Permutation-invariant by construction (a mean of per-sample features). With a linear φ and ρ it
 * is a linear functional of the empirical distribution; the kernel mean embedding is the same
 * shape with a fixed infinite-dimensional φ.
 *
 * Shapes: B bags, M members (padded), d features, D width, F hidden width of ρ, O outputs.
 */
import { nn, np, type JaxArray } from "../engine/engine.js";
import type { ParamMap } from "./params.js";
import type { DeepSetsConfig } from "./setConfig.js";
import type { SetBatch } from "./setTransformer.js";

/** Outputs (B, O). Consumes the parameters and the batch's arrays. */
export function deepSetsForward(
  params: ParamMap,
  batch: SetBatch,
  config: DeepSetsConfig,
): JaxArray {
  const [b, m] = batch.valid.shape;
  let h = batch.x; // (B, M, d)
  for (let l = 0; l < config.layers; l++)
    h = nn.gelu(np.matmul(h, params[`phi.${l}.w`]).add(params[`phi.${l}.b`])); // (B, M, D)
  const weights = batch.valid.ref.reshape([b, m, 1]);
  const total = batch.valid.sum(1).reshape([b, 1]);
  batch.neighbours?.dispose();
  const pooled = h.mul(weights).sum(1).div(np.maximum(total, 1)); // (B, D)
  const hidden = nn.gelu(np.matmul(pooled, params.headW1).add(params.headB1)); // (B, F)
  return np.matmul(hidden, params.headW2).add(params.headB2); // (B, O)
}
