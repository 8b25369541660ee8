/**
 * Parameters of the set models, as flat maps from dotted names to arrays (like ./params.ts).
 *
 * Shapes: d input features, D width, F MLP width, O outputs, S PMA seeds, P prompts, r LoRA rank.
 *
 * Initialization: weight matrices N(0, 1/fan_in) (LeCun; the set models see standardized inputs
 * without the embedding table of a language model), the residual projections (wo, w2) further
 * scaled by 1/√(2L) (GPT-2), LoRA's A N(0, 1/D) and B zero (so an adapter starts as no change),
 * prompts and PMA seeds N(0, 1), LayerNorm scales 1, biases 0.
 */
import { np, random } from "../engine/engine.js";
import type { ParamMap } from "./params.js";
import type { DeepSetsConfig, SetModelConfig, SetTransformerConfig } from "./setConfig.js";

/** The attention projections that carry LoRA adapters, per block and in the PMA pooling. */
export const ADAPTED_PROJECTIONS = ["wq", "wk", "wv", "wo"] as const;

/** Names of the head's output layer (replaced when a pretrained model learns a new target). */
export const OUTPUT_LAYER = ["headW2", "headB2"] as const;

function transformerShapes(c: SetTransformerConfig): Record<string, number[]> {
  const { inputDim: d, dModel: w, dMlp: f, outputs: o, seeds: s, prompts: p, loraRank: r } = c;
  const shapes: Record<string, number[]> = { embedW: [d, w], embedB: [w] };
  if (p > 0) shapes.prompts = [p, w];
  const attention = (prefix: string) => {
    for (const name of ADAPTED_PROJECTIONS) {
      shapes[`${prefix}${name}`] = [w, w];
      if (r > 0) {
        shapes[`${prefix}${name}LoraA`] = [w, r];
        shapes[`${prefix}${name}LoraB`] = [r, w];
      }
    }
  };
  for (let l = 0; l < c.layers; l++) {
    const at = `layers.${l}.`;
    shapes[`${at}ln1Scale`] = [w];
    shapes[`${at}ln1Bias`] = [w];
    attention(at);
    shapes[`${at}ln2Scale`] = [w];
    shapes[`${at}ln2Bias`] = [w];
    shapes[`${at}w1`] = [w, f];
    shapes[`${at}b1`] = [f];
    shapes[`${at}w2`] = [f, w];
    shapes[`${at}b2`] = [w];
  }
  shapes.lnFScale = [w];
  shapes.lnFBias = [w];
  if (c.pooling === "pma") {
    shapes.poolSeeds = [s, w];
    attention("pool.");
  }
  shapes.headLnScale = [w];
  shapes.headLnBias = [w];
  shapes.headW1 = [w, f];
  shapes.headB1 = [f];
  shapes.headW2 = [f, o / s];
  shapes.headB2 = [o / s];
  return shapes;
}

function deepSetsShapes(c: DeepSetsConfig): Record<string, number[]> {
  const { inputDim: d, dModel: w, dMlp: f, outputs: o } = c;
  const shapes: Record<string, number[]> = {};
  for (let l = 0; l < c.layers; l++) {
    shapes[`phi.${l}.w`] = [l === 0 ? d : w, w];
    shapes[`phi.${l}.b`] = [w];
  }
  shapes.headW1 = [w, f];
  shapes.headB1 = [f];
  shapes.headW2 = [f, o];
  shapes.headB2 = [o];
  return shapes;
}

/** Parameter shapes by dotted name. */
export function setParameterShapes(config: SetModelConfig): Record<string, number[]> {
  return config.model === "transformer" ? transformerShapes(config) : deepSetsShapes(config);
}

/** The number of scalars in the parameters. */
export function countSetParameters(config: SetModelConfig): number {
  return Object.values(setParameterShapes(config)).reduce(
    (sum, shape) => sum + shape.reduce((a, b) => a * b, 1),
    0,
  );
}

/** The initial value of one parameter (see the file comment). */
function initial(
  name: string,
  shape: number[],
  key: ReturnType<typeof random.key>,
  config: SetModelConfig,
) {
  const leaf = name.split(".").pop() as string;
  if (leaf.endsWith("Scale")) return np.ones(shape);
  if (shape.length === 1 || leaf.endsWith("LoraB")) return np.zeros(shape);
  if (leaf === "prompts" || leaf === "poolSeeds") return random.normal(key, shape);
  let std = 1 / Math.sqrt(shape[0]);
  if (config.model === "transformer" && name.startsWith("layers.") && /^(wo|w2)$/.test(leaf))
    std /= Math.sqrt(2 * Math.max(1, config.layers));
  return random.normal(key, shape).mul(std);
}

/** Initial parameters from a seed (only the names in `only`, when given). */
export function initSetParams(
  config: SetModelConfig,
  seed: number,
  only?: (name: string) => boolean,
): ParamMap {
  const shapes = setParameterShapes(config);
  const names = Object.keys(shapes);
  const keys = random.split(random.key(seed), names.length);
  const params: ParamMap = {};
  names.forEach((name, i) => {
    if (!only || only(name)) params[name] = initial(name, shapes[name], keys.ref.slice(i), config);
  });
  keys.dispose();
  return params;
}
