/**
 * Looking inside the model: its attention weights and content scores on real token windows, as
 * dense (T × T) host matrices per layer and head (local heads expanded from the chunked block
 * layout), with any attention hooks in place. One more hook does the capturing.
 *
 * Shapes: B batch, T positions, H heads (local heads first, as in the model).
 */
import { fromHost, np, toFloat64, tree, type JaxArray } from "../engine/engine.js";
import { denseLocalWeights } from "../attention/causal.js";
import { localHeadCount, localWindow, type ModelConfig } from "./config.js";
import {
  combineHooks,
  attachHooks,
  finishAndDiscard,
  hookInputs,
  type AttentionHooks,
  type HookSource,
  type LayerAttention,
} from "./hooks.js";
import type { ParamMap } from "./params.js";
import { forward } from "./transformer.js";

/** Dense attention of one batch of windows. */
export interface AttentionMaps {
  batch: number;
  length: number;
  /** [layer][head] → (B·T·T) weights a_ij, row-major. */
  weights: Float64Array[][];
  /** [layer][head] → (B·T·T) content scores c_ij = q_i·k_j/√E. */
  scores: Float64Array[][];
}

/** Is key m visible to query n in head h (causal mask; local heads also the window)? */
export function allowedKey(config: ModelConfig, head: number, n: number, m: number): boolean {
  if (config.strict ? m >= n : m > n) return false;
  if (head < localHeadCount(config)) return n - m <= localWindow(config);
  return true;
}

/** A hook that keeps a borrowed copy of every layer's weights and scores. */
function captureHook(captured: LayerAttention[]): AttentionHooks {
  return {
    observesScores: true,
    observe(layer, attention) {
      const keep = (group: LayerAttention["global"]) =>
        group && { weights: group.weights.ref, scores: group.scores?.ref };
      captured[layer] = { global: keep(attention.global), local: keep(attention.local) };
    },
  };
}

/**
 * Runs the model on token windows (B·T ids) with `sources`' hooks and returns the dense maps.
 * Borrows params.
 */
export function attentionMaps(
  params: ParamMap,
  config: ModelConfig,
  tokens: Int32Array,
  batch: number,
  sources: readonly HookSource[] = [],
): AttentionMaps {
  const t = tokens.length / batch;
  const inputs = hookInputs(sources, { tokens, batch, length: t, step: 0 });
  const captured: LayerAttention[] = [];
  const hooks = combineHooks([attachHooks(sources, inputs), captureHook(captured)]);
  forward(tree.ref(params), fromHost(tokens, [batch, t], np.int32), config, { hooks }).dispose();
  finishAndDiscard(hooks);
  const local = localHeadCount(config);
  const global = config.heads - local;
  const window = localWindow(config);
  /** (B, count, ·) device array → one (B·T·T) host array per head. Takes ownership. */
  const perHead = (x: JaxArray | undefined, count: number, isLocal: boolean): Float64Array[] => {
    if (!x) return [];
    const host = toFloat64(x);
    const dense = isLocal
      ? denseLocalWeights(host, { batch, heads: count, length: t, window })
      : host; // (B, count, T, T)
    return Array.from({ length: count }, (_, h) => {
      const out = new Float64Array(batch * t * t);
      for (let b = 0; b < batch; b++)
        out.set(dense.subarray((b * count + h) * t * t, (b * count + h + 1) * t * t), b * t * t);
      return out;
    });
  };
  const maps: AttentionMaps = { batch, length: t, weights: [], scores: [] };
  for (const layer of captured) {
    maps.weights.push([
      ...perHead(layer.local?.weights, local, true),
      ...perHead(layer.global?.weights, global, false),
    ]);
    maps.scores.push([
      ...perHead(layer.local?.scores, local, true),
      ...perHead(layer.global?.scores, global, false),
    ]);
  }
  return maps;
}
