/**
 * Looking inside a localist model: its attention weights, content scores and relevant sets on
 * real text, as dense (T × T) host matrices per layer and head (local heads expanded from the
 * chunked layout), and the metrics of DESIGN.md §3 aggregated per layer, per head and overall.
 */
import { fromHost, np, toFloat64, type JaxArray } from "../engine/engine.js";
import { check } from "../engine/errors.js";
import { denseLocalWeights } from "../attention/causal.js";
import { localHeadCount, type ModelConfig } from "../model/config.js";
import { embedTokens, unflattenParams } from "../model/transformer.js";
import type { ParamMap } from "../train/optimizer.js";
import { refParams } from "../train/evaluate.js";
import { blockArray, dialArray, localistForward } from "./forward.js";
import { MetricTotals, rowMetrics, type RowMetrics } from "./metrics.js";

/** Dense attention of one batch: [layer][head] → (B·T·T) arrays. */
export interface AttentionMaps {
  batch: number;
  length: number;
  weights: Float64Array[][];
  scores: Float64Array[][];
  relevant: Float64Array[][];
}

/** Is key m allowed for query n in head h (local heads: the window)? */
export function allowedKey(config: ModelConfig, head: number, n: number, m: number): boolean {
  if (config.strict ? m >= n : m > n) return false;
  if (head < localHeadCount(config))
    return n - m <= (config.attention as { window: number }).window;
  return true;
}

/** Runs the model on token windows (B, T) at a dial and returns dense maps. Borrows params. */
export function attentionMaps(
  params: ParamMap,
  config: ModelConfig,
  tokens: Int32Array,
  batch: number,
  dial: number[][],
): AttentionMaps {
  check(
    config.localist !== undefined,
    "this model was trained without blocks; train one with --localist",
  );
  const t = tokens.length / batch;
  const tree = unflattenParams(refParams(params), config);
  const embedded = embedTokens(tree.tokenEmbedding.ref, fromHost(tokens, [batch, t], np.int32));
  const result = localistForward(
    tree,
    embedded,
    config,
    blockArray(config, tokens, batch),
    dialArray(dial),
    {
      returnWeights: true,
      returnScores: true,
      keepRelevance: true,
    },
  );
  result.logits.dispose();
  const local = localHeadCount(config);
  const heads = config.heads;
  const window = local > 0 ? (config.attention as { window: number }).window : 0;
  const split = (x: JaxArray | undefined, count: number, isLocal: boolean): Float64Array[] => {
    if (!x || count === 0) {
      x?.dispose();
      return [];
    }
    const host = toFloat64(x);
    const dense = isLocal
      ? denseLocalWeights(host, { batch, heads: count, length: t, window })
      : host;
    // (B, count, T, T) → one (B·T·T) array per head
    return Array.from({ length: count }, (_, h) => {
      const out = new Float64Array(batch * t * t);
      for (let b = 0; b < batch; b++)
        out.set(dense.subarray((b * count + h) * t * t, ((b * count + h) * t + t) * t), b * t * t);
      return out;
    });
  };
  const rel = result.relevance;
  const relevantLocal = split(rel?.local?.ref, local, true);
  const relevantGlobal = split(rel?.global?.ref, heads - local, false);
  const maps: AttentionMaps = { batch, length: t, weights: [], scores: [], relevant: [] };
  for (const layer of result.weights ?? []) {
    maps.weights.push([
      ...split(layer.local, local, true),
      ...split(layer.global, heads - local, false),
    ]);
    maps.scores.push([
      ...split(layer.localScores, local, true),
      ...split(layer.globalScores, heads - local, false),
    ]);
    maps.relevant.push([...relevantLocal, ...relevantGlobal]);
  }
  if (rel)
    for (const x of [
      rel.global,
      rel.local,
      rel.globalTargets,
      rel.localTargets,
      rel.keys,
      rel.localKeys,
    ])
      x?.dispose();
  return maps;
}

/** Row metrics of query n of sequence b in (layer, head). */
export function rowOf(
  maps: AttentionMaps,
  config: ModelConfig,
  dial: number[][],
  layer: number,
  head: number,
  b: number,
  n: number,
): RowMetrics | undefined {
  const t = maps.length;
  const base = (b * t + n) * t;
  const allowed = Array.from({ length: t }, (_, m) => (allowedKey(config, head, n, m) ? 1 : 0));
  const relevant = Array.from({ length: t }, (_, m) =>
    allowed[m] ? maps.relevant[layer][head][base + m] : 0,
  );
  return rowMetrics({
    weights: maps.weights[layer][head].subarray(base, base + t),
    scores: maps.scores[layer][head].subarray(base, base + t),
    allowed,
    relevant,
    strength: dial[layer][head] * (config.localist?.margin ?? 0),
  });
}

export interface AttentionReport {
  overall: ReturnType<MetricTotals["summary"]>;
  perLayer: ReturnType<MetricTotals["summary"]>[];
  perHead: ReturnType<MetricTotals["summary"]>[][];
}

/** Metrics over `windows` windows of an id stream (non-overlapping, T tokens each). Borrows params. */
export function measureAttention(
  params: ParamMap,
  config: ModelConfig,
  ids: Int32Array,
  dial: number[][],
  options: { windows?: number; batch?: number; onRow?: (m: RowMetrics) => void } = {},
): AttentionReport {
  const t = config.context;
  const windows = Math.min(options.windows ?? 32, Math.floor(ids.length / t));
  check(windows >= 1, `the text has ${ids.length} tokens, fewer than one window of ${t}`);
  const batch = options.batch ?? 8;
  const overall = new MetricTotals();
  const perLayer = Array.from({ length: config.layers }, () => new MetricTotals());
  const perHead = Array.from({ length: config.layers }, () =>
    Array.from({ length: config.heads }, () => new MetricTotals()),
  );
  for (let start = 0; start < windows; start += batch) {
    const rows = Math.min(batch, windows - start);
    const tokens = ids.slice(start * t, (start + rows) * t);
    const maps = attentionMaps(params, config, tokens, rows, dial);
    for (let l = 0; l < config.layers; l++) {
      for (let h = 0; h < config.heads; h++) {
        for (let b = 0; b < rows; b++) {
          for (let n = 0; n < t; n++) {
            const m = rowOf(maps, config, dial, l, h, b, n);
            if (!m) continue;
            overall.add(m);
            perLayer[l].add(m);
            perHead[l][h].add(m);
            options.onRow?.(m);
          }
        }
      }
    }
  }
  return {
    overall: overall.summary(),
    perLayer: perLayer.map((m) => m.summary()),
    perHead: perHead.map((row) => row.map((m) => m.summary())),
  };
}
