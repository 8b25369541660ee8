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
 * and for inference the parameters, one layer's activations and 3·B·T·V. Measured on this
 * engine, a step's peak is about 1.2× the count (temporaries), which the estimate includes.
 */
import { localHeadCount, localWindow, type ModelConfig } from "./config.js";
import { parameterShapes } from "./params.js";

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
  const attention = b * (heads - local) * t * t + b * local * t * 2 * localWindow(config);
  const perLayer = b * t * (9 * d + 2 * f) + 3 * attention;
  const classes = config.classes ?? v;
  const outputRows = config.classes === undefined ? b * t : b;
  const parameters = (training ? 4 : 1) * parameterCount(config);
  const activations = (training ? layers : 1) * perLayer;
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
