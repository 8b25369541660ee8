/**
 * The transformer's parameters: a flat map from dotted names (the names used in checkpoints, e.g.
 * `layers.0.wq`) to arrays. Borrow a map with `tree.ref(params)` and free it with
 * `tree.dispose(params)` (jax-js's tree helpers); functions that take a map consume every array.
 *
 * Shapes: V vocabulary, D width, F MLP width, T context, C classes.
 */
import { np, random, type JaxArray } from "../engine/engine.js";
import type { ModelConfig } from "./config.js";

/**
 * A model's parameters by dotted name (`embed`, `layers.0.wq`, …), one array each: a flat tree that
 * `tree.ref`, `tree.dispose` and the optimizer walk.
 */
export type ParamMap = Record<string, JaxArray>;

/** The arrays of one transformer block, by leaf name (prefix `layers.<l>.`). */
export const LAYER_PARAMS = [
  "ln1Scale", // (D)
  "ln1Bias", // (D)
  "wq", // (D, D)
  "wk", // (D, D)
  "wv", // (D, D)
  "wo", // (D, D)
  "ln2Scale", // (D)
  "ln2Bias", // (D)
  "w1", // (D, F)
  "b1", // (F)
  "w2", // (F, D)
  "b2", // (D)
] as const;
export type LayerParamName = (typeof LAYER_PARAMS)[number];

/** Parameter shapes by dotted name. */
export function parameterShapes(config: ModelConfig): Record<string, number[]> {
  const { vocabSize: v, dModel: d, dMlp: f, context } = config;
  const shapes: Record<string, number[]> = { tokenEmbedding: [v, d], lnFScale: [d], lnFBias: [d] };
  if (config.positional === "learned") shapes.positionEmbedding = [context, d];
  const layerShapes: Record<LayerParamName, number[]> = {
    ln1Scale: [d],
    ln1Bias: [d],
    wq: [d, d],
    wk: [d, d],
    wv: [d, d],
    wo: [d, d],
    ln2Scale: [d],
    ln2Bias: [d],
    w1: [d, f],
    b1: [f],
    w2: [f, d],
    b2: [d],
  };
  for (let l = 0; l < config.layers; l++)
    for (const name of LAYER_PARAMS) shapes[`layers.${l}.${name}`] = layerShapes[name];
  if (config.classes !== undefined) {
    shapes.classifierWeight = [d, config.classes];
    shapes.classifierBias = [config.classes];
  }
  return shapes;
}

/** The arrays of block `layer`, by leaf name (the same arrays, no copies). */
export function layerParams(params: ParamMap, layer: number): Record<LayerParamName, JaxArray> {
  return Object.fromEntries(
    LAYER_PARAMS.map((name) => [name, params[`layers.${layer}.${name}`]]),
  ) as Record<LayerParamName, JaxArray>;
}

/**
 * Initial parameters from a seed: weights N(0, 0.02²), residual output projections (wo, w2)
 * scaled by 1/√(2L) (GPT-2), LayerNorm scales 1 and biases 0.
 */
export function initParams(config: ModelConfig, seed: number): ParamMap {
  const shapes = parameterShapes(config);
  const names = Object.keys(shapes);
  const keys = random.split(random.key(seed), names.length);
  const params: ParamMap = {};
  const residualScale = 1 / Math.sqrt(2 * config.layers);
  names.forEach((name, i) => {
    const shape = shapes[name];
    const leaf = name.split(".").pop() as string;
    if (leaf.endsWith("Scale")) params[name] = np.ones(shape);
    else if (leaf.endsWith("Bias") || leaf === "b1" || leaf === "b2")
      params[name] = np.zeros(shape);
    else {
      const std = leaf === "wo" || leaf === "w2" ? 0.02 * residualScale : 0.02;
      params[name] = random.normal(keys.ref.slice(i), shape).mul(std);
    }
  });
  keys.dispose();
  return params;
}

/** Learned token vectors: 2-D, but embeddings rather than weights, so never decayed. */
const TOKEN_TABLES = new Set(["positionEmbedding", "prompts", "poolSeeds"]);

/**
 * Whether weight decay applies to a parameter: the weight matrices (2-D), not LayerNorm scales,
 * biases, the learned position table or a set model's prompts and PMA seeds, as in GPT-2 training.
 */
export function decays(name: string, shape: readonly number[]): boolean {
  return shape.length === 2 && !TOKEN_TABLES.has(name);
}
