/**
 * The set transformer (docs/math.md#the-set-transformer): a transformer encoder over the samples
 * of a bag with no positional encoding, pooled to a fixed-size vector and read by an MLP head.
 * Permutation-invariant by construction: the encoder is permutation-equivariant (set attention,
 * ../attention/set.ts, and per-member MLPs), and both poolings are symmetric functions of the
 * members.
 *
 *   h⁰ = x W_e + b_e                          (B, M, D), with P prompts prepended: (B, P + M, D)
 *   hˡ = hˡ⁻¹ + MHA(LN(hˡ⁻¹)),  hˡ ← hˡ + MLP(LN(hˡ))        l = 1 … L
 *   z  = LN(hᴸ)
 *   pooled = S + MHA(S, z)  (PMA: S learned seeds attend over the set)   or   mean_s z_s   (B, S, D)
 *   out = W₂ GELU(W₁ LN(pooled) + b₁) + b₂     (B, S, O/S) → (B, O)
 *
 * Attention is global over the members (padding excluded) or k-NN-local in sample space (member i
 * sees its k nearest members); prompts are global tokens: every member sees them and they see
 * every member. Mean pooling averages the members only; PMA's seeds attend to prompts as well.
 * LoRA adds A·B to each attention projection W (the adapted weight is W + AB).
 *
 * Shapes: B bags, M members (samples, padded), d features, D width, H heads, E = D/H, F MLP width,
 * S seeds, P prompts, O outputs.
 */
import { nn, np, type JaxArray } from "../engine/engine.js";
import { setAttention } from "../attention/set.js";
import type { ParamMap } from "./params.js";
import type { SetTransformerConfig } from "./setConfig.js";

/** A batch of bags as the model reads it. */
export interface SetBatch {
  /** (B, M, d) float32 samples (0 in padding rows). */
  x: JaxArray;
  /** (B, M) float32: 1 for a sample, 0 for padding. */
  valid: JaxArray;
  /** (B, M, M) float32 k-NN indicator (k-NN attention only): 1 where member j is a neighbour of i. */
  neighbours?: JaxArray;
}

function layerNorm(x: JaxArray, scale: JaxArray, bias: JaxArray): JaxArray {
  return nn.standardize(x, -1, { epsilon: 1e-5 }).mul(scale).add(bias);
}

/** W, or W + A·B when the projection carries a LoRA adapter. Takes ownership of what it reads. */
function projection(params: ParamMap, name: string): JaxArray {
  const weight = params[name];
  const a = params[`${name}LoraA`];
  const b = params[`${name}LoraB`];
  return a && b ? weight.add(np.matmul(a, b)) : weight;
}

/** (B, T, D) → (B, H, T, E). */
function splitHeads(x: JaxArray, heads: number): JaxArray {
  const [b, t, d] = x.shape;
  return x.reshape([b, t, heads, d / heads]).transpose([0, 2, 1, 3]);
}

/** (B, H, T, E) → (B, T, D). */
function mergeHeads(x: JaxArray): JaxArray {
  const [b, h, t, e] = x.shape;
  return x.transpose([0, 2, 1, 3]).reshape([b, t, h * e]);
}

/**
 * Multi-head attention of queries (B, Q, D) over keys and values from `context` (B, N, D), with
 * `allowed` broadcastable to (B, H, Q, N); projections under `prefix`. Takes ownership of all.
 */
function multiHead(
  params: ParamMap,
  prefix: string,
  queries: JaxArray,
  context: JaxArray,
  allowed: JaxArray,
  heads: number,
): JaxArray {
  const q = splitHeads(np.matmul(queries, projection(params, `${prefix}wq`)), heads);
  const k = splitHeads(np.matmul(context.ref, projection(params, `${prefix}wk`)), heads);
  const v = splitHeads(np.matmul(context, projection(params, `${prefix}wv`)), heads);
  const out = setAttention(q, k, v, { allowed });
  return np.matmul(mergeHeads(out), projection(params, `${prefix}wo`));
}

/**
 * Which keys each token may see, (B, 1, T, T) boolean with T = P + M: the valid keys (prompts
 * always), and for k-NN attention a member's neighbours and the prompts only.
 */
function attentionMask(batch: SetBatch, prompts: number, knn: boolean): JaxArray {
  const [b, m] = batch.valid.shape;
  const t = prompts + m;
  const keys =
    prompts > 0 ? np.concatenate([np.ones([b, prompts]), batch.valid.ref], 1) : batch.valid.ref; // (B, T)
  if (!knn) return np.greater(keys.reshape([b, 1, 1, t]), 0.5);
  const members = batch.neighbours?.ref as JaxArray; // (B, M, M)
  const memberRows = prompts > 0 ? np.concatenate([np.ones([b, m, prompts]), members], 2) : members; // (B, M, T)
  const rows =
    prompts > 0
      ? np.concatenate([np.broadcastTo(keys.reshape([b, 1, t]), [b, prompts, t]), memberRows], 1)
      : (keys.dispose(), memberRows); // (B, T, T)
  return np.greater(rows.reshape([b, 1, t, t]), 0.5);
}

/**
 * Outputs (B, O) of the set transformer. Consumes the parameters (pass `tree.ref(params)` to keep
 * yours) and the batch's arrays.
 */
export function setTransformerForward(
  params: ParamMap,
  batch: SetBatch,
  config: SetTransformerConfig,
): JaxArray {
  const [b, m] = batch.valid.shape;
  const p = config.prompts;
  const w = config.dModel;
  const knn = config.attention.kind === "knn";
  let h = np.matmul(batch.x, params.embedW).add(params.embedB); // (B, M, D)
  if (p > 0)
    h = np.concatenate([np.broadcastTo(params.prompts.reshape([1, p, w]), [b, p, w]), h], 1); // (B, P + M, D)
  const allowed = attentionMask(batch, p, knn);
  for (let l = 0; l < config.layers; l++) {
    const at = `layers.${l}.`;
    const normed = layerNorm(h.ref, params[`${at}ln1Scale`], params[`${at}ln1Bias`]);
    h = h.add(multiHead(params, at, normed.ref, normed, allowed.ref, config.heads));
    const hidden = nn.gelu(
      np
        .matmul(
          layerNorm(h.ref, params[`${at}ln2Scale`], params[`${at}ln2Bias`]),
          params[`${at}w1`],
        )
        .add(params[`${at}b1`]),
    ); // (B, T, F)
    h = h.add(np.matmul(hidden, params[`${at}w2`]).add(params[`${at}b2`]));
  }
  const z = layerNorm(h, params.lnFScale, params.lnFBias); // (B, T, D)
  let pooled: JaxArray; // (B, S, D)
  if (config.pooling === "mean") {
    allowed.dispose();
    const members = p > 0 ? z.slice([], [p, p + m]) : z; // (B, M, D)
    const weights = batch.valid.ref.reshape([b, m, 1]);
    const total = batch.valid.ref.sum(1).reshape([b, 1, 1]);
    pooled = members.mul(weights).sum(1, { keepdims: true }).div(np.maximum(total, 1));
  } else {
    const s = config.seeds;
    const seeds = np.broadcastTo(params.poolSeeds.reshape([1, s, w]), [b, s, w]);
    const keys = np.greater(
      (p > 0 ? np.concatenate([np.ones([b, p]), batch.valid.ref], 1) : batch.valid.ref).reshape([
        b,
        1,
        1,
        p + m,
      ]),
      0.5,
    );
    allowed.dispose();
    pooled = seeds.ref.add(multiHead(params, "pool.", seeds, z, keys, config.heads));
  }
  batch.valid.dispose();
  batch.neighbours?.dispose();
  const hidden = nn.gelu(
    np
      .matmul(layerNorm(pooled, params.headLnScale, params.headLnBias), params.headW1)
      .add(params.headB1),
  ); // (B, S, F)
  const out = np.matmul(hidden, params.headW2).add(params.headB2); // (B, S, O/S)
  return out.reshape([b, config.outputs]);
}
