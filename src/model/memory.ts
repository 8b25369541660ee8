/**
 * How much of the engine's memory a model needs, estimated from its config before any work starts,
 * so that a run that cannot fit is refused with the estimate instead of failing part-way. jax-js on
 * Wasm has one 4 GiB linear memory (32-bit addresses).
 *
 * Counted in float32 elements, per training step (B batch, T context, D width, F MLP width,
 * V vocabulary, L layers, Hg global and Hl local heads, W window):
 *   parameters, gradients and the two AdamW moments      4P
 *   kept for the backward pass, per layer                B·T·(9D + 2F) + 3·(B·Hg·T² + B·Hl·T·2W)
 *   the output layer (logits, log-softmax, one-hot, and their gradients)   6·B·T·V
 * and for inference the parameters, 3·B·T·V and the activations of every layer: a compiled
 * pass keeps each temporary until it ends (measured: 12 × 768, V = 50,257, T = 256 evaluates at
 * B = 4 and runs out of the 4 GiB at B = 8, as this count says; one layer's count would allow
 * B = 16). A pass run op by op (below) frees them layer by layer: one layer's. Measured on this
 * engine, a step's peak is about 1.2× the count (temporaries), which the estimate includes.
 *
 * Past one tile (T > S = 512) global attention runs tiled (attention/blockedGlobal.ts): training
 * keeps the tiles' weights, measured at 2.7·B·Hg·T² per layer (T = 4,096, jit, gradients) in place
 * of 3·B·Hg·T², and inference runs op by op (model/compile.ts) with a few (S, S) tiles alive,
 * counted as 4·B·Hg·S².
 */
import { tiledGlobalAttention } from "../attention/causal.js";
import { DEFAULT_TILE } from "../attention/blockedGlobal.js";
import { localHeadCount, localWindow, type ModelConfig } from "./config.js";
import { parameterShapes } from "./params.js";
import { runsUncompiled } from "./compile.js";

/** jax-js's Wasm memory. */
export const ENGINE_MEMORY_BYTES = 4 * 2 ** 30;
/** What a run may plan to use of it: the rest is the engine's own and the host's. */
export const MEMORY_BUDGET_BYTES = 3.5 * 2 ** 30;
const OVERHEAD = 1.2;

export interface MemoryEstimate {
  parameters: number;
  activations: number;
  output: number;
  /** Bytes. */
  total: number;
}

export function parameterCount(config: ModelConfig): number {
  return Object.values(parameterShapes(config)).reduce(
    (sum, shape) => sum + shape.reduce((a, b) => a * b, 1),
    0,
  );
}

/** Bytes one step needs, for training (forward and backward) or inference (forward only). */
export function estimateMemory(
  config: ModelConfig,
  options: { batch: number; training: boolean },
): MemoryEstimate {
  const { batch: b, training } = options;
  const { context: t, dModel: d, dMlp: f, vocabSize: v, layers, heads } = config;
  const local = localHeadCount(config);
  const globalHeads = b * (heads - local);
  const localPart = 3 * b * local * t * 2 * localWindow(config);
  const globalPart = !tiledGlobalAttention(t)
    ? 3 * globalHeads * t * t
    : training
      ? 2.7 * globalHeads * t * t
      : 4 * globalHeads * DEFAULT_TILE * DEFAULT_TILE;
  const perLayer = b * t * (9 * d + 2 * f) + localPart + globalPart;
  const classes = config.classes ?? v;
  const outputRows = config.classes === undefined ? b * t : b;
  const parameters = (training ? 4 : 1) * parameterCount(config);
  const activations = (training || !runsUncompiled(config) ? layers : 1) * perLayer;
  const output = (training ? 6 : 3) * outputRows * classes;
  const bytes = (n: number) => n * 4 * OVERHEAD;
  return {
    parameters: bytes(parameters),
    activations: bytes(activations),
    output: bytes(output),
    total: bytes(parameters + activations + output),
  };
}

/** GiB with one decimal. */
export function formatGiB(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GiB`;
}
