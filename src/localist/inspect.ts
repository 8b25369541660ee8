/**
 * Measuring a localist model on real text: its attention maps at a dial (model/inspect.ts, with the
 * dial hook in place), each row's relevant set R_h(i) from the blocks and the routing, and the row
 * metrics of docs/math.md#metrics-and-the-certified-bound, aggregated per layer, per head and
 * overall.
 *
 * Shapes: B windows, T positions.
 */
import type { JaxArray } from "../engine/engine.js";
import { check } from "../engine/errors.js";
import type { ModelConfig } from "../model/config.js";
import { localHeadCount, localWindow } from "../model/config.js";
import { attentionMaps, keyAllowed, type AttentionMaps, type MapsPass } from "../model/inspect.js";
import type { ParamMap } from "../model/params.js";
import { blockIds } from "./blocks.js";
import type { HookSource } from "../model/hooks.js";
import { MetricTotals, rowMetrics, type MetricSummary, type RowMetrics } from "./metrics.js";
import { denseRuleBias } from "./ruleHook.js";
import type { RuleSet } from "./rules.js";
import type { LocalistStructure } from "./structure.js";

/** Attention maps at a dial, with the block ids of the windows. */
export interface LocalistMaps extends AttentionMaps {
  /** (B·T) block id of every position. */
  blocks: Int32Array;
  /** (B, L, H, T, T) the rules' bias, when rules were applied (it counts in the bound's gap). */
  ruleBias?: Float32Array;
}

/**
 * The hooks in place while a localist model is measured, assembled by the model object
 * (src/lm/hooks.ts): `sources` holds every hook of the pass (the dial at the measured dial, anchors,
 * rules), and `rules` the rule set among them, whose bias counts in the certified bound's gap.
 */
export interface MeasureExtras {
  /** Every hook of the pass. */
  sources: readonly HookSource[];
  /** The rule set among them (its bias counts in the bound's gap). */
  rules?: RuleSet;
  /** The block of every position (blocks per occurrence); default each token's block. */
  blocks?: ArrayLike<number>;
}

/** Runs the model on token windows (B·T ids) with the hooks of `extras`. Borrows params. */
export function localistMaps(
  params: ParamMap,
  config: ModelConfig,
  structure: LocalistStructure,
  tokens: Int32Array,
  batch: number,
  extras: MeasureExtras,
  /** Where the pass starts and what it keeps besides the maps (model/inspect.ts). */
  pass: MapsPass = {},
): LocalistMaps & { logits?: Float32Array; inputs?: JaxArray[] } {
  const rules = extras.rules ?? [];
  const maps = attentionMaps(params, config, tokens, batch, extras.sources, extras.blocks, pass);
  return {
    ...maps,
    blocks: blockIds(structure.blocks, tokens, tokens.length / batch, extras.blocks),
    ...(rules.length > 0
      ? {
          ruleBias: denseRuleBias(
            rules,
            tokens,
            batch,
            config,
            extras.blocks && Int32Array.from(extras.blocks),
          ).bias,
        }
      : {}),
  };
}

/**
 * The maps of one window (B = 1) run at a padded length cut to its first `t` positions: what a pass
 * on the first t tokens alone computes, since attention is causal (no query sees a later key, so
 * positions added after the window change nothing before them). Layers a resumed pass did not run
 * (empty arrays) stay empty.
 */
export function firstPositions(maps: LocalistMaps, t: number): LocalistMaps {
  const padded = maps.length;
  if (t === padded) return maps;
  /** The leading t × t block of each (padded × padded) matrix in `values`. */
  const square = <A extends Float64Array | Float32Array>(values: A): A => {
    const matrices = values.length / (padded * padded);
    const out = new (values.constructor as new (n: number) => A)(matrices * t * t);
    for (let k = 0; k < matrices; k++)
      for (let n = 0; n < t; n++)
        out.set(
          values.subarray((k * padded + n) * padded, (k * padded + n) * padded + t),
          (k * t + n) * t,
        );
    return out;
  };
  const perHead = (layers: Float64Array[][]) =>
    layers.map((heads) => heads.map((values) => (values.length === 0 ? values : square(values))));
  return {
    ...maps,
    length: t,
    weights: perHead(maps.weights),
    scores: perHead(maps.scores),
    blocks: maps.blocks.slice(0, t),
    ...(maps.visible ? { visible: maps.visible.slice(0, t) } : {}),
    ...(maps.ruleBias ? { ruleBias: square(maps.ruleBias) } : {}),
  };
}

/** Row metrics of query n of window b in (layer, head); undefined when the row sees no key. */
export function rowOf(
  maps: LocalistMaps,
  config: ModelConfig,
  structure: LocalistStructure,
  dial: number[][],
  layer: number,
  head: number,
  b: number,
  n: number,
): RowMetrics | undefined {
  const t = maps.length;
  const base = (b * t + n) * t;
  const g = structure.routing.blocks;
  const queryBlock = maps.blocks[b * t + n];
  // Plain loops over typed arrays: the Lab computes every row of every head on each dial move.
  const allowed = new Uint8Array(t);
  const relevant = new Uint8Array(t);
  const targetsOfQuery = (head * g + queryBlock) * g;
  for (let m = 0; m < t; m++) {
    if (!keyAllowed(maps, config, head, b, n, m)) continue;
    allowed[m] = 1;
    // j ∈ R_h(i) ⇔ g(x_j) ∈ T_h(g(x_i)), among the allowed keys
    relevant[m] = structure.routing.targets[targetsOfQuery + maps.blocks[b * t + m]] ? 1 : 0;
  }
  const strength = dial[layer][head] * structure.margin;
  const biasAt = (((b * config.layers + layer) * config.heads + head) * t + n) * t;
  let bias: ArrayLike<number> | undefined = maps.ruleBias?.subarray(biasAt, biasAt + t);
  if (maps.visible && head < localHeadCount(config)) {
    // Anchors before the window carry no bias at all: cancel the dial's −λm there, and any rule's.
    const beyond = n - localWindow(config);
    const rules = bias;
    const anchored = new Float64Array(t);
    for (let m = 0; m < t; m++)
      anchored[m] = m < beyond ? (relevant[m] ? 0 : strength) : (rules?.[m] ?? 0);
    bias = anchored;
  }
  return rowMetrics({
    weights: maps.weights[layer][head].subarray(base, base + t),
    scores: maps.scores[layer][head].subarray(base, base + t),
    allowed,
    relevant,
    strength,
    bias,
  });
}

/**
 * Means of the row metrics (entropy, fidelity, certified fidelity, bound violations) over every
 * measured row, per layer and per head.
 */
export interface AttentionReport {
  /** Over all rows of all layers and heads. */
  overall: MetricSummary;
  /** One summary per layer. */
  perLayer: MetricSummary[];
  /** One summary per layer and head: perHead[layer][head]. */
  perHead: MetricSummary[][];
}

/**
 * Metrics over `windows` non-overlapping windows of T tokens of an id stream, with the hooks of
 * `options.sources` in place at the (L, H) `dial` they were made for. Borrows params.
 */
export function measureAttention(
  params: ParamMap,
  config: ModelConfig,
  structure: LocalistStructure,
  ids: Int32Array,
  dial: number[][],
  options: {
    windows?: number;
    batch?: number;
    onRow?: (m: RowMetrics) => void;
  } & MeasureExtras,
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
    const blocks =
      options.blocks && Int32Array.from(options.blocks).slice(start * t, (start + rows) * t);
    const maps = localistMaps(params, config, structure, tokens, rows, { ...options, blocks });
    for (let l = 0; l < config.layers; l++) {
      for (let h = 0; h < config.heads; h++) {
        for (let b = 0; b < rows; b++) {
          for (let n = 0; n < t; n++) {
            const m = rowOf(maps, config, structure, dial, l, h, b, n);
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
