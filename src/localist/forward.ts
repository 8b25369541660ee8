/**
 * The localist model's forward pass: the transformer with the dial bias λ·b on every attention
 * logit, and optionally the group-sparsity penalty of its attention (DESIGN.md §3).
 */
import { fromHost, np, type JaxArray } from "../engine/engine.js";
import { check } from "../engine/errors.js";
import type { ModelConfig } from "../model/config.js";
import {
  forwardFromEmbeddings,
  type ForwardResult,
  type ModelParams,
} from "../model/transformer.js";
import { blockIds } from "./blocks.js";
import { dialBias, disposeRelevance, relevance, type Relevance } from "./relevance.js";
import { layerPenalty } from "./penalty.js";

export interface LocalistForward extends ForwardResult {
  /** Mean group-sparsity penalty over rows, heads and layers (a scalar), when requested. */
  penalty?: JaxArray;
  /** The relevance arrays, when requested (for metrics). */
  relevance?: Relevance;
}

/**
 * Runs a localist model from embeddings x₀ (B, T, D) with block ids (B, T) int32 and the dial
 * (L, H). Takes ownership of every array argument.
 */
export function localistForward(
  params: ModelParams,
  embedded: JaxArray,
  config: ModelConfig,
  blocks: JaxArray,
  dial: JaxArray,
  options: {
    penalty?: boolean;
    returnWeights?: boolean;
    returnScores?: boolean;
    keepRelevance?: boolean;
  } = {},
): LocalistForward {
  const structure = config.localist;
  check(
    structure !== undefined,
    "this model was trained without blocks; the dial needs a model trained with --localist",
  );
  const t = embedded.shape[1];
  const rel = relevance(blocks, config, structure.routing);
  const wantWeights = options.penalty === true || options.returnWeights === true;
  const result: LocalistForward = forwardFromEmbeddings(params, embedded, config, {
    bias: (layer) => dialBias(rel, dial, layer, structure.margin, config),
    returnWeights: wantWeights,
    returnScores: options.returnScores,
  });
  dial.dispose();
  if (options.penalty && result.weights) {
    let total: JaxArray | undefined;
    for (const layer of result.weights) {
      const borrowed = options.returnWeights
        ? { global: layer.global?.ref, local: layer.local?.ref }
        : { global: layer.global, local: layer.local };
      const p = layerPenalty(borrowed, rel, t, config.heads);
      total = total === undefined ? p : total.add(p);
    }
    result.penalty = (total as JaxArray).mul(1 / config.layers);
    if (!options.returnWeights) {
      // The weights were consumed by the penalty; keep only what was asked for.
      for (const layer of result.weights) {
        delete layer.global;
        delete layer.local;
      }
      if (!options.returnScores) delete result.weights;
    }
  }
  if (options.keepRelevance) result.relevance = rel;
  else disposeRelevance(rel);
  return result;
}

/** Block ids of a token batch as an engine array (B, T). */
export function blockArray(config: ModelConfig, tokens: Int32Array, batch: number): JaxArray {
  const structure = config.localist;
  check(structure !== undefined, "this model has no blocks");
  const length = tokens.length / batch;
  return fromHost(blockIds(structure.blocks, tokens, length), [batch, length], np.int32);
}

/** A dial matrix (L, H) as an engine array. */
export function dialArray(matrix: number[][]): JaxArray {
  const layers = matrix.length;
  const heads = matrix[0].length;
  return fromHost(matrix.flat(), [layers, heads], np.float32);
}
