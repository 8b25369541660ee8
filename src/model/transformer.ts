/**
 * Decoder-only transformer whose attention is a kernel local mean (DESIGN.md §1–2): token
 * embedding, optional position encoding, pre-LayerNorm blocks of multi-head causal attention
 * (global, W-local or hybrid per head) and a GELU MLP, a final LayerNorm, and an output head tied
 * to the token embedding — or, for a recognizer, a classification head at the last position.
 *
 * Shapes: B batch, T positions, D width, H heads, E = D/H head width, V vocabulary, F MLP width.
 */
import { nn, np, random, type JaxArray } from "../engine/engine.js";
import {
  globalCausalAttention,
  localCausalAttention,
  type AttentionResult,
} from "../attention/causal.js";
import { localHeadCount, type ModelConfig } from "./config.js";
import { applyRotary, rotaryTables, sinusoidalTable } from "./positional.js";

export type LayerParams = {
  ln1Scale: JaxArray; // (D)
  ln1Bias: JaxArray; // (D)
  wq: JaxArray; // (D, D)
  wk: JaxArray; // (D, D)
  wv: JaxArray; // (D, D)
  wo: JaxArray; // (D, D)
  ln2Scale: JaxArray; // (D)
  ln2Bias: JaxArray; // (D)
  w1: JaxArray; // (D, F)
  b1: JaxArray; // (F)
  w2: JaxArray; // (F, D)
  b2: JaxArray; // (D)
};

export type ModelParams = {
  tokenEmbedding: JaxArray; // (V, D)
  positionEmbedding?: JaxArray; // (T, D), learned positions only
  layers: LayerParams[];
  lnFScale: JaxArray; // (D)
  lnFBias: JaxArray; // (D)
  classifierWeight?: JaxArray; // (D, C), recognizers only
  classifierBias?: JaxArray; // (C)
};

/** Parameter shapes by dotted name (the names used in checkpoints). */
export function parameterShapes(config: ModelConfig): Record<string, number[]> {
  const { vocabSize: v, dModel: d, dMlp: f, context } = config;
  const shapes: Record<string, number[]> = { tokenEmbedding: [v, d], lnFScale: [d], lnFBias: [d] };
  if (config.positional === "learned") shapes.positionEmbedding = [context, d];
  for (let l = 0; l < config.layers; l++) {
    const p = `layers.${l}.`;
    Object.assign(shapes, {
      [`${p}ln1Scale`]: [d],
      [`${p}ln1Bias`]: [d],
      [`${p}wq`]: [d, d],
      [`${p}wk`]: [d, d],
      [`${p}wv`]: [d, d],
      [`${p}wo`]: [d, d],
      [`${p}ln2Scale`]: [d],
      [`${p}ln2Bias`]: [d],
      [`${p}w1`]: [d, f],
      [`${p}b1`]: [f],
      [`${p}w2`]: [f, d],
      [`${p}b2`]: [d],
    });
  }
  if (config.classes !== undefined) {
    shapes.classifierWeight = [d, config.classes];
    shapes.classifierBias = [config.classes];
  }
  return shapes;
}

/**
 * Initial parameters from a seed: weights N(0, 0.02²), residual output projections scaled by
 * 1/√(2L) (GPT-2), LayerNorm scale 1 and bias 0.
 */
export function initParams(config: ModelConfig, seed: number): ModelParams {
  const shapes = parameterShapes(config);
  const names = Object.keys(shapes);
  const keys = random.split(random.key(seed), names.length);
  const flat: Record<string, JaxArray> = {};
  const residualScale = 1 / Math.sqrt(2 * config.layers);
  names.forEach((name, i) => {
    const shape = shapes[name];
    const key = keys.ref.slice(i);
    const leaf = name.split(".").pop() as string;
    if (leaf.endsWith("Scale")) {
      key.dispose();
      flat[name] = np.ones(shape);
    } else if (leaf.endsWith("Bias") || leaf === "b1" || leaf === "b2") {
      key.dispose();
      flat[name] = np.zeros(shape);
    } else {
      const std = leaf === "wo" || leaf === "w2" ? 0.02 * residualScale : 0.02;
      flat[name] = random.normal(key, shape).mul(std);
    }
  });
  keys.dispose();
  return unflattenParams(flat, config);
}

/** Dotted-name map → parameter tree (takes ownership of the arrays). */
export function unflattenParams(flat: Record<string, JaxArray>, config: ModelConfig): ModelParams {
  const layers: LayerParams[] = [];
  for (let l = 0; l < config.layers; l++) {
    const get = (n: string) => flat[`layers.${l}.${n}`];
    layers.push({
      ln1Scale: get("ln1Scale"),
      ln1Bias: get("ln1Bias"),
      wq: get("wq"),
      wk: get("wk"),
      wv: get("wv"),
      wo: get("wo"),
      ln2Scale: get("ln2Scale"),
      ln2Bias: get("ln2Bias"),
      w1: get("w1"),
      b1: get("b1"),
      w2: get("w2"),
      b2: get("b2"),
    });
  }
  const params: ModelParams = {
    tokenEmbedding: flat.tokenEmbedding,
    layers,
    lnFScale: flat.lnFScale,
    lnFBias: flat.lnFBias,
  };
  if (flat.positionEmbedding) params.positionEmbedding = flat.positionEmbedding;
  if (flat.classifierWeight) {
    params.classifierWeight = flat.classifierWeight;
    params.classifierBias = flat.classifierBias;
  }
  return params;
}

/** Parameter tree → dotted-name map (the same arrays, no copies). */
export function flattenParams(params: ModelParams): Record<string, JaxArray> {
  const flat: Record<string, JaxArray> = {
    tokenEmbedding: params.tokenEmbedding,
    lnFScale: params.lnFScale,
    lnFBias: params.lnFBias,
  };
  if (params.positionEmbedding) flat.positionEmbedding = params.positionEmbedding;
  params.layers.forEach((layer, l) => {
    for (const [name, value] of Object.entries(layer)) flat[`layers.${l}.${name}`] = value;
  });
  if (params.classifierWeight && params.classifierBias) {
    flat.classifierWeight = params.classifierWeight;
    flat.classifierBias = params.classifierBias;
  }
  return flat;
}

function layerNorm(x: JaxArray, scale: JaxArray, bias: JaxArray): JaxArray {
  return nn.standardize(x, -1, { epsilon: 1e-5 }).mul(scale).add(bias);
}

/** Additive log-biases on one layer's attention logits (used by the locality dial and by rules). */
export interface LayerBias {
  /** Broadcastable to (B, H_global, T, T). */
  global?: JaxArray;
  /** Block layout, broadcastable to (B, H_local, nb, W, 2W). */
  local?: JaxArray;
}

export interface ForwardOptions {
  /** Return attention weights per layer (global heads dense, local heads in block layout). */
  returnWeights?: boolean;
  /** Also return the content scores q·k/√E (before any bias), in the same layouts. */
  returnScores?: boolean;
  /** Per-layer additive log-bias; the arrays are consumed. */
  bias?: (layer: number) => LayerBias | undefined;
}

export interface LayerWeights {
  global?: JaxArray; // (B, H_global, T, T)
  local?: JaxArray; // (B, H_local, nb, W, 2W)
  globalScores?: JaxArray; // (B, H_global, T, T)
  localScores?: JaxArray; // (B, H_local, nb, W, 2W)
}

export interface ForwardResult {
  /** Language model: (B, T, V). Recognizer: (B, C). */
  logits: JaxArray;
  weights?: LayerWeights[];
}

/** Splits (B, T, D) into heads (B, H, T, E). Takes ownership. */
function splitHeads(x: JaxArray, heads: number): JaxArray {
  const [b, t, d] = x.shape;
  return x.reshape([b, t, heads, d / heads]).transpose([0, 2, 1, 3]);
}

function attentionBlock(
  x: JaxArray,
  layer: LayerParams,
  config: ModelConfig,
  rotary: { cos: JaxArray; sin: JaxArray } | undefined,
  bias: LayerBias | undefined,
  inspect: { returnWeights: boolean; returnScores: boolean },
): { out: JaxArray; weights: LayerWeights } {
  const [b, t, d] = x.shape;
  const h = config.heads;
  let q = splitHeads(np.matmul(x.ref, layer.wq), h); // (B, H, T, E)
  let k = splitHeads(np.matmul(x.ref, layer.wk), h);
  const v = splitHeads(np.matmul(x, layer.wv), h);
  if (rotary) {
    q = applyRotary(q, { cos: rotary.cos.ref, sin: rotary.sin.ref });
    k = applyRotary(k, { cos: rotary.cos.ref, sin: rotary.sin.ref });
  }
  const local = localHeadCount(config);
  const parts: JaxArray[] = [];
  const weights: LayerWeights = {};
  const strict = config.strict;
  const run = (result: AttentionResult, key: "local" | "global") => {
    parts.push(result.output);
    if (result.weights) weights[key] = result.weights;
    if (result.scores) weights[key === "local" ? "localScores" : "globalScores"] = result.scores;
  };
  if (local > 0) {
    const window = (config.attention as { window: number }).window;
    const pick = (a: JaxArray) => (local === h ? a.ref : a.ref.slice([], [0, local]));
    run(
      localCausalAttention(pick(q), pick(k), pick(v), {
        window,
        strict,
        bias: bias?.local,
        ...inspect,
      }),
      "local",
    );
  } else bias?.local?.dispose();
  if (local < h) {
    const pick = (a: JaxArray) => (local === 0 ? a.ref : a.ref.slice([], [local, h]));
    run(
      globalCausalAttention(pick(q), pick(k), pick(v), {
        strict,
        bias: bias?.global,
        ...inspect,
      }),
      "global",
    );
  } else bias?.global?.dispose();
  q.dispose();
  k.dispose();
  v.dispose();
  const merged = parts.length === 1 ? parts[0] : np.concatenate(parts, 1); // (B, H, T, E)
  const out = np.matmul(merged.transpose([0, 2, 1, 3]).reshape([b, t, d]), layer.wo);
  return { out, weights };
}

/**
 * Runs the model on token ids (B, T) (int32). Takes ownership of `tokens`; borrows nothing else
 * (pass `tree.ref(params)`): the parameter arrays are consumed like any argument.
 */
export function forward(
  params: ModelParams,
  tokens: JaxArray,
  config: ModelConfig,
  options: ForwardOptions = {},
): ForwardResult {
  const embedded = embedTokens(params.tokenEmbedding.ref, tokens);
  return forwardFromEmbeddings(params, embedded, config, options);
}

/** Token embedding lookup: E (V, D), tokens (B, T) int32 → (B, T, D). Takes ownership. */
export function embedTokens(embedding: JaxArray, tokens: JaxArray): JaxArray {
  const [b, t] = tokens.shape;
  const d = embedding.shape[1];
  return np.take(embedding, tokens.reshape([-1]), 0).reshape([b, t, d]);
}

/**
 * The model after the embedding lookup, from x₀ (B, T, D). Training differentiates this with
 * respect to x₀ and scatters that gradient into the embedding rows on the host: the gradient of
 * a gather is a scatter, which jax-js 0.1.25 cannot jit-compile, and a one-hot product instead
 * would cost as much as the output head. Consumes every parameter array once (the token
 * embedding by the tied head of a language model; a recognizer just releases it).
 */
export function forwardFromEmbeddings(
  params: ModelParams,
  embedded: JaxArray,
  config: ModelConfig,
  options: ForwardOptions = {},
): ForwardResult {
  const t = embedded.shape[1];
  const d = config.dModel;
  const tied = config.classes === undefined;
  let x = embedded; // (B, T, D)
  if (params.positionEmbedding) x = x.add(params.positionEmbedding.slice([0, t]));
  if (config.positional === "sinusoidal") x = x.add(sinusoidalTable(t, d));
  const rotary = config.positional === "rotary" ? rotaryTables(t, d / config.heads) : undefined;
  const allWeights: LayerWeights[] = [];
  params.layers.forEach((layer, l) => {
    const normed = layerNorm(x.ref, layer.ln1Scale, layer.ln1Bias);
    const { out, weights } = attentionBlock(normed, layer, config, rotary, options.bias?.(l), {
      returnWeights: options.returnWeights ?? false,
      returnScores: options.returnScores ?? false,
    });
    x = x.add(out);
    allWeights.push(weights);
    const hidden = nn.gelu(
      np.matmul(layerNorm(x.ref, layer.ln2Scale, layer.ln2Bias), layer.w1).add(layer.b1),
    );
    x = x.add(np.matmul(hidden, layer.w2).add(layer.b2));
  });
  rotary?.cos.dispose();
  rotary?.sin.dispose();
  x = layerNorm(x, params.lnFScale, params.lnFBias);
  let logits: JaxArray;
  if (tied) {
    logits = np.matmul(x, params.tokenEmbedding.transpose()); // (B, T, V)
  } else {
    params.tokenEmbedding.dispose();
    const last = x.slice([], t - 1); // (B, D)
    logits = np
      .matmul(last, params.classifierWeight as JaxArray)
      .add(params.classifierBias as JaxArray);
  }
  return options.returnWeights || options.returnScores
    ? { logits, weights: allWeights }
    : { logits };
}

/**
 * Mean next-token cross-entropy (nats): −(1/BT) Σ log p(target | context).
 * logits (B, T, V), targets (B, T) int32; takes ownership of both.
 */
export function crossEntropy(logits: JaxArray, targets: JaxArray): JaxArray {
  const [b, t] = targets.shape;
  const v = logits.shape[2];
  // mean logsumexp(z) − mean z_target; the target logit is picked by a one-hot mask, not a
  // gather, because a gather's gradient (a scatter) cannot be jit-compiled in jax-js 0.1.25.
  const logNormalizer = nn.logsumexp(logits.ref, -1).mean();
  const targetLogits = logits
    .mul(nn.oneHot(targets, v))
    .sum()
    .mul(1 / (b * t));
  return logNormalizer.sub(targetLogits);
}
