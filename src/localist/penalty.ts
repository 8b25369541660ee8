/**
 * Group-sparsity penalty on attention (docs/math.md#the-group-sparsity-penalty): for an attention row a_i grouped by the
 * key blocks g,
 *
 *   Ω(a_i) = Σ_{g ∉ T(i)} ‖a_{i,g}‖₂,   ‖a_{i,g}‖₂ = √(Σ_{j: g(x_j) = g} a_ij²)
 *
 * (a group lasso on the off-target blocks), averaged over rows, heads and layers. The norm is
 * smoothed as √(s + ε) − √ε so that its gradient stays finite at s = 0 and empty groups cost 0.
 */
import { np, type JaxArray } from "../engine/engine.js";
import type { LayerAttention } from "../model/hooks.js";
import type { Relevance } from "./relevance.js";

export const PENALTY_EPSILON = 1e-12;

function groupNorms(squaredMass: JaxArray): JaxArray {
  return np.sqrt(squaredMass.add(PENALTY_EPSILON)).sub(Math.sqrt(PENALTY_EPSILON));
}

/** Σ over rows and heads of Ω for one layer, divided by B·H·T. Borrows its arguments. */
export function layerPenalty(
  attention: LayerAttention,
  rel: Relevance,
  length: number,
  heads: number,
): JaxArray {
  let total: JaxArray | undefined;
  const add = (x: JaxArray) => (total = total === undefined ? x : total.add(x));
  if (attention.global && rel.globalTargets) {
    const mass = np.matmul(np.square(attention.global.weights.ref), rel.keys.ref); // (B, Hg, T, G)
    add(groupNorms(mass).mul(np.negative(rel.globalTargets.ref).add(1)).sum());
  }
  if (attention.local && rel.localTargets && rel.localKeys) {
    const mass = np.matmul(np.square(attention.local.weights.ref), rel.localKeys.ref); // (B, Hl, nb, W, G)
    const [b, hl, nb, w, g] = mass.shape;
    const off = np.negative(rel.localTargets.ref).add(1);
    const rows = groupNorms(mass)
      .mul(off)
      .reshape([b, hl, nb * w, g])
      .slice([], [], [0, length]);
    add(rows.sum());
  }
  const batch = rel.keys.shape[0];
  return (total as JaxArray).mul(1 / (batch * heads * length));
}
