/**
 * The relevant sets R_h(i) (docs/math.md#the-locality-dial) as arrays, and the locality-dial bias built from them:
 *
 *   R_h(i) = { j allowed by the causal / window mask : g(x_j) ∈ T_h(g(x_i)) }
 *   b_ij = 0 if j ∈ R_h(i), −m otherwise;   logits s_ij = q_i·k_j/√d + λ_{ℓ,h} · b_ij
 *
 * Relevance is computed from one-hot block ids: with Q = onehot(g(x_i)) (T, G), the routing
 * T_h (G, G) and K = onehot(g(x_j)), rel_h = Q T_h Kᵀ ∈ {0, 1}^(T×T). Local heads use the block
 * layout of the chunked attention. The causal mask itself is applied by the attention.
 *
 * Shapes: B batch, T positions, G blocks, Hg global heads, Hl local heads, nb blocks of W.
 */
import { nn, np, fromHost, type JaxArray } from "../engine/engine.js";
import { localKeyBlocks, localQueryBlocks } from "../attention/causal.js";
import { localHeadCount, localWindow, type ModelConfig } from "../model/config.js";
import type { LayerBias } from "../model/hooks.js";
import type { Routing } from "./routing.js";

export interface Relevance {
  /** (B, Hg, T, T) 0/1, global heads. */
  global?: JaxArray;
  /** (B, Hl, nb, W, 2W) 0/1, local heads (block layout). */
  local?: JaxArray;
  /** (B, Hg, T, G): 1 where key block g is a target of query i (for the penalty). */
  globalTargets?: JaxArray;
  /** (B, Hl, nb, W, G) the same in block layout. */
  localTargets?: JaxArray;
  /** (B, 1, T, G) key one-hots. */
  keys: JaxArray;
  /** (B, 1, nb, 2W, G) key one-hots in block layout, when there are local heads. */
  localKeys?: JaxArray;
}

/** Routing targets of heads [from, to) as a constant (1, n, G, G). */
function routingSlice(routing: Routing, from: number, to: number): JaxArray {
  const g = routing.blocks;
  return fromHost(
    routing.targets.slice(from * g * g, to * g * g),
    [1, to - from, g, g],
    np.float32,
  );
}

/**
 * Relevance for a batch of block ids (B, T) int32. Takes ownership of `blocks`.
 */
export function relevance(blocks: JaxArray, config: ModelConfig, routing: Routing): Relevance {
  const [b, t] = blocks.shape;
  const g = routing.blocks;
  const h = config.heads;
  const local = localHeadCount(config);
  const oneHot = nn.oneHot(blocks, g).astype(np.float32).reshape([b, 1, t, g]); // (B, 1, T, G)
  const result: Relevance = { keys: oneHot.ref };
  if (local < h) {
    const targets = np.matmul(oneHot.ref, routingSlice(routing, local, h)); // (B, Hg, T, G)
    result.global = np.matmul(targets.ref, oneHot.ref.transpose([0, 1, 3, 2])); // (B, Hg, T, T)
    result.globalTargets = targets;
  }
  if (local > 0) {
    const window = localWindow(config);
    const queries = localQueryBlocks(oneHot.ref, window); // (B, 1, nb, W, G)
    const keys = localKeyBlocks(oneHot.ref, window); // (B, 1, nb, 2W, G)
    const route = routingSlice(routing, 0, local).reshape([1, local, 1, g, g]);
    const targets = np.matmul(queries, route); // (B, Hl, nb, W, G)
    result.local = np.matmul(targets.ref, keys.ref.transpose([0, 1, 2, 4, 3])); // (B, Hl, nb, W, 2W)
    result.localTargets = targets;
    result.localKeys = keys;
  }
  oneHot.dispose();
  return result;
}

export function disposeRelevance(r: Relevance): void {
  for (const x of [r.global, r.local, r.globalTargets, r.localTargets, r.keys, r.localKeys])
    x?.dispose();
}

/**
 * The dial bias of layer ℓ: λ_{ℓ,h} · m · (rel − 1). `dial` is (L, H) with local heads first.
 * Borrows `rel` and `dial`.
 */
export function dialBias(
  rel: Relevance,
  dial: JaxArray,
  layer: number,
  margin: number,
  config: ModelConfig,
): LayerBias {
  const h = config.heads;
  const local = localHeadCount(config);
  const row = dial.ref.slice(layer); // (H)
  const bias: LayerBias = {};
  if (rel.global) {
    const lambda = row.ref.slice([local, h]).reshape([1, h - local, 1, 1]);
    bias.global = rel.global.ref.sub(1).mul(lambda.mul(margin));
  }
  if (rel.local) {
    const lambda = row.ref.slice([0, local]).reshape([1, local, 1, 1, 1]);
    bias.local = rel.local.ref.sub(1).mul(lambda.mul(margin));
  }
  row.dispose();
  return bias;
}
