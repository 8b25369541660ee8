/**
 * Decoder-only transformer whose attention is a kernel local mean (docs/math.md#the-transformer):
 * token embedding, optional position encoding, pre-LayerNorm blocks of multi-head causal attention
 * (global, W-local or hybrid per head) and a GELU MLP, a final LayerNorm, and an output head tied
 * to the token embedding — or, for a recognizer, a classification head at the last position.
 * Attention hooks (./hooks.ts) add log-biases to the logits and observe the weights.
 *
 * Shapes: B batch, T positions, D width, H heads, E = D/H head width, V vocabulary, F MLP width,
 * C classes; Hl local heads, Hg = H − Hl global heads.
 */
import { nn, np, type JaxArray } from "../engine/engine.js";
import { globalCausalAttention, localCausalAttention } from "../attention/causal.js";
import { localHeadCount, localWindow, type ModelConfig } from "./config.js";
import type { AttentionHooks, HeadGroupAttention, LayerAttention } from "./hooks.js";
import { layerParams, type LayerParamName, type ParamMap } from "./params.js";
import { applyRotary, rotaryTables, sinusoidalTable } from "./positional.js";

/** Settings of `forward`. */
export interface ForwardOptions {
  /** The attention hooks of this pass (the dial, rules, anchors, observers); none by default. */
  hooks?: AttentionHooks;
}

function layerNorm(x: JaxArray, scale: JaxArray, bias: JaxArray): JaxArray {
  return nn.standardize(x, -1, { epsilon: 1e-5 }).mul(scale).add(bias);
}

/** Splits (B, T, D) into heads (B, H, T, E). Takes ownership. */
function splitHeads(x: JaxArray, heads: number): JaxArray {
  const [b, t, d] = x.shape;
  return x.reshape([b, t, heads, d / heads]).transpose([0, 2, 1, 3]);
}

/** Multi-head attention of one block: (B, T, D) → (B, T, D). Takes ownership of x and layer. */
function attentionBlock(
  x: JaxArray,
  layer: Record<LayerParamName, JaxArray>,
  index: number,
  config: ModelConfig,
  rotary: { cos: JaxArray; sin: JaxArray } | undefined,
  hooks: AttentionHooks | undefined,
): JaxArray {
  const [b, t, d] = x.shape;
  const h = config.heads;
  let q = splitHeads(np.matmul(x.ref, layer.wq), h); // (B, H, T, E)
  let k = splitHeads(np.matmul(x.ref, layer.wk), h);
  const v = splitHeads(np.matmul(x, layer.wv), h);
  if (rotary) {
    q = applyRotary(q, { cos: rotary.cos.ref, sin: rotary.sin.ref });
    k = applyRotary(k, { cos: rotary.cos.ref, sin: rotary.sin.ref });
  }
  const bias = hooks?.bias?.(index);
  const visible = hooks?.visibleKeys?.(); // (B, T)
  const inspect = {
    returnWeights: hooks?.observe !== undefined,
    returnScores: hooks?.observe !== undefined && hooks.observesScores === true,
  };
  const local = localHeadCount(config);
  const outputs: JaxArray[] = [];
  const seen: LayerAttention = {};
  const keep = (
    weights?: JaxArray,
    scores?: JaxArray,
    far?: HeadGroupAttention["far"],
  ): HeadGroupAttention | undefined =>
    weights ? { weights, ...(scores ? { scores } : {}), ...(far ? { far } : {}) } : undefined;
  if (local > 0) {
    const pick = (a: JaxArray) => (local === h ? a.ref : a.ref.slice([], [0, local]));
    const window = localWindow(config);
    if (visible && inspect.returnWeights) seen.visible = visible.ref;
    const result = localCausalAttention(pick(q), pick(k), pick(v), {
      window,
      strict: config.strict,
      bias: bias?.local,
      visible,
      ...inspect,
    });
    outputs.push(result.output); // (B, Hl, T, E)
    seen.local = keep(result.weights, result.scores, result.far);
  } else {
    bias?.local?.dispose();
    visible?.dispose();
  }
  if (local < h) {
    const pick = (a: JaxArray) => (local === 0 ? a.ref : a.ref.slice([], [local, h]));
    const result = globalCausalAttention(pick(q), pick(k), pick(v), {
      strict: config.strict,
      bias: bias?.global,
      ...inspect,
    });
    outputs.push(result.output); // (B, Hg, T, E)
    seen.global = keep(result.weights, result.scores);
  } else bias?.global?.dispose();
  q.dispose();
  k.dispose();
  v.dispose();
  if (hooks?.observe) {
    hooks.observe(index, seen);
    for (const group of [seen.local, seen.global]) {
      group?.weights.dispose();
      group?.scores?.dispose();
      group?.far?.weights.dispose();
      group?.far?.scores?.dispose();
    }
    seen.visible?.dispose();
  }
  const merged = outputs.length === 1 ? outputs[0] : np.concatenate(outputs, 1); // (B, H, T, E)
  return np.matmul(merged.transpose([0, 2, 1, 3]).reshape([b, t, d]), layer.wo);
}

/** Token embedding lookup: E (V, D), tokens (B, T) int32 → (B, T, D). Takes ownership. */
export function embedTokens(embedding: JaxArray, tokens: JaxArray): JaxArray {
  const [b, t] = tokens.shape;
  const d = embedding.shape[1];
  return np.take(embedding, tokens.reshape([-1]), 0).reshape([b, t, d]);
}

/**
 * Logits of the model on token ids (B, T) int32: (B, T, V) for a language model, (B, C) for a
 * recognizer. Consumes `tokens` and every parameter array (pass `tree.ref(params)` to keep yours).
 */
export function forward(
  params: ParamMap,
  tokens: JaxArray,
  config: ModelConfig,
  options: ForwardOptions = {},
): JaxArray {
  const embedded = embedTokens(params.tokenEmbedding.ref, tokens);
  return forwardFromEmbeddings(params, embedded, config, options);
}

/**
 * The model after the embedding lookup, from x₀ (B, T, D). Training differentiates this with
 * respect to x₀ and scatters that gradient into the embedding rows on the host: the gradient of a
 * gather is a scatter, which jax-js 0.1.25 cannot jit-compile, and a one-hot product instead would
 * cost as much as the output head. Consumes every parameter array once (the token embedding by
 * the tied head of a language model; a recognizer just releases it).
 */
export function forwardFromEmbeddings(
  params: ParamMap,
  embedded: JaxArray,
  config: ModelConfig,
  options: ForwardOptions = {},
): JaxArray {
  const t = embedded.shape[1];
  const d = config.dModel;
  const { positionEmbedding, ...rest } = params;
  let x = embedded; // (B, T, D)
  if (positionEmbedding) x = x.add(positionEmbedding.slice([0, t]));
  if (config.positional === "sinusoidal") x = x.add(sinusoidalTable(t, d));
  return forwardFromLayer(rest, x, 0, config, options);
}

/** Settings of `forwardFromLayer`. */
export interface LayerRunOptions extends ForwardOptions {
  /** Sees the residual stream x_ℓ (B, T, D) entering each layer run (borrowed: keep it with `.ref`). */
  onLayerInput?(layer: number, x: JaxArray): void;
}

/**
 * The model from the residual stream x_ℓ (B, T, D) entering layer `from` (position encoding
 * already added) to the logits: layers < `from` are not run, so a caller that kept x_ℓ from an
 * earlier pass re-runs only the layers whose hooks changed. Consumes `x` and every parameter
 * array, as `forward` does.
 */
export function forwardFromLayer(
  params: ParamMap,
  x: JaxArray,
  from: number,
  config: ModelConfig,
  options: LayerRunOptions = {},
): JaxArray {
  const t = x.shape[1];
  const d = config.dModel;
  // Consumed like `forward`'s: what the skipped layers and the position encoding would have used.
  params.positionEmbedding?.dispose();
  for (let l = 0; l < from; l++)
    for (const array of Object.values(layerParams(params, l))) array.dispose();
  const rotary = config.positional === "rotary" ? rotaryTables(t, d / config.heads) : undefined;
  for (let l = from; l < config.layers; l++) {
    options.onLayerInput?.(l, x);
    const layer = layerParams(params, l);
    const normed = layerNorm(x.ref, layer.ln1Scale, layer.ln1Bias);
    x = x.add(attentionBlock(normed, layer, l, config, rotary, options.hooks));
    const hidden = nn.gelu(
      np.matmul(layerNorm(x.ref, layer.ln2Scale, layer.ln2Bias), layer.w1).add(layer.b1),
    ); // (B, T, F)
    x = x.add(np.matmul(hidden, layer.w2).add(layer.b2));
  }
  rotary?.cos.dispose();
  rotary?.sin.dispose();
  x = layerNorm(x, params.lnFScale, params.lnFBias);
  if (config.classes === undefined) return np.matmul(x, params.tokenEmbedding.transpose()); // (B, T, V)
  params.tokenEmbedding.dispose();
  const last = x.slice([], t - 1); // (B, D)
  return np.matmul(last, params.classifierWeight).add(params.classifierBias); // (B, C)
}
