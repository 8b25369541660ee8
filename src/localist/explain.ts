/**
 * Where each token of a text attends, per layer and head, at a dial: the top keys of every row,
 * its entropy, pointer fidelity, certified fidelity and the dial threshold λ* that would certify
 * fidelity ≥ 1 − δ on that row (docs/math.md#the-dial-threshold); then a terminal heatmap.
 */
import { printable } from "../engine/printable.js";
import { check } from "../engine/errors.js";
import { localHeadCount, localWindow, type ModelConfig } from "../model/config.js";
import type { ParamMap } from "../model/params.js";
import { blockNames } from "./blocks.js";
import { heatmap } from "./heatmap.js";
import { localistMaps, rowOf, type LocalistMaps, type MeasureExtras } from "./inspect.js";
import { dialThreshold, type RowMetrics } from "./metrics.js";
import type { Recruitment } from "./recruitment.js";
import type { LocalistStructure, RecruitmentLog } from "./structure.js";

/**
 * One query position of an explained head: its token and block, where its attention goes, its
 * metrics and its threshold.
 */
export interface ExplainedRow {
  /** The query's token. */
  token: string;
  /** The query's block. */
  block: string;
  /** The keys with the most weight, largest first (zero-weight keys left out). */
  top: { token: string; block: string; weight: number }[];
  /** Undefined when the row sees no key. */
  metrics?: RowMetrics;
  /** λ* for this row; undefined when its relevant set is empty. */
  threshold?: number;
}

/**
 * One head of an explanation: what it is, its dial, its mean metrics, its threshold and its rows.
 */
export interface ExplainedHead {
  /** The layer, from 0. */
  layer: number;
  /** The head within the layer, from 0. */
  head: number;
  /** e.g. "4-local, targets: noun". */
  description: string;
  /** λ in this head. */
  dial: number;
  /** Mean attention entropy of the head's rows, in bits. */
  entropy: number;
  /** Mean measured fidelity of the head's rows. */
  fidelity: number;
  /** Mean certified fidelity (1 − the leak bound) of the head's rows. */
  certifiedFidelity: number;
  /** The largest row threshold: λ* for fidelity ≥ 1 − δ on every row. */
  threshold: number;
  /** One entry per query position. */
  rows: ExplainedRow[];
  /** (T·T) dense weights, for the heatmap. */
  weights: Float64Array;
}

/**
 * Why a localist model attends where it does on one text: the tokens with their blocks, and per
 * head the dial, the metrics, the threshold λ* and each row's most-weighted keys.
 */
export interface Explanation {
  /** The text's tokens and the block of each. */
  tokens: { token: string; block: string }[];
  /** δ, the target leak of the thresholds: λ* guarantees fidelity ≥ 1 − δ. */
  delta: number;
  /** One entry per layer and head. */
  heads: ExplainedHead[];
  /** The rules in place: id and strength s = λ·m. */
  rules: { id: string; strength: number }[];
  /** Blocks recruited in training, in order (empty for fixed blocks). */
  recruited: Recruitment[];
}

/** "W-local" or "global", and the blocks the head's routing targets. */
export function describeHead(
  config: ModelConfig,
  structure: LocalistStructure,
  head: number,
): string {
  const kind = head < localHeadCount(config) ? `${localWindow(config)}-local` : "global";
  const names = blockNames(structure.blocks, config.context);
  const { blocks: g, targets } = structure.routing;
  const chosen = new Set<string>();
  for (let a = 0; a < g; a++)
    for (let b = 0; b < g; b++) if (targets[(head * g + a) * g + b]) chosen.add(names[b]);
  return `${kind}, targets: ${[...chosen].join(", ")}`;
}

export interface ExplainOptions extends MeasureExtras {
  /** (L, H) dial, the one the dial hook among `sources` was made for. */
  dial: number[][];
  /** Layers to show (default all). */
  layers?: number[];
  /** Heads to show (default all). */
  heads?: number[];
  /** Keys listed per row. */
  top: number;
  /** δ of the threshold λ*. */
  delta: number;
}

/** Explains one window of token ids (at most the context) with their display texts. Borrows params. */
export function explainText(
  params: ParamMap,
  config: ModelConfig,
  structure: LocalistStructure & { recruitment?: RecruitmentLog },
  ids: Int32Array,
  texts: readonly string[],
  options: ExplainOptions,
): Explanation {
  const t = ids.length;
  check(t >= 1 && t <= config.context, `explain takes 1 to ${config.context} tokens, got ${t}`);
  const maps = localistMaps(params, config, structure, ids, 1, options);
  return explainMaps(maps, config, structure, texts, options);
}

/** What {@link explainHead} and {@link explainMaps} need besides the maps: the dial, k and δ. */
export type ExplainSettings = Pick<
  ExplainOptions,
  "dial" | "layers" | "heads" | "top" | "delta" | "rules"
>;

/** The explanation of maps already computed (one window, B = 1); see {@link explainText}. */
export function explainMaps(
  maps: LocalistMaps,
  config: ModelConfig,
  structure: LocalistStructure & { recruitment?: RecruitmentLog },
  texts: readonly string[],
  options: ExplainSettings,
): Explanation {
  const t = maps.length;
  const layers = options.layers ?? [...Array(config.layers).keys()];
  const heads = options.heads ?? [...Array(config.heads).keys()];
  const names = blockNames(structure.blocks, config.context);
  const explained: ExplainedHead[] = [];
  for (const l of layers)
    for (const h of heads)
      explained.push(explainHead(maps, config, structure, texts, l, h, options));
  return {
    tokens: Array.from(texts.slice(0, t), (token, i) => ({ token, block: names[maps.blocks[i]] })),
    delta: options.delta,
    heads: explained,
    rules: (options.rules ?? []).map((r) => ({ id: r.id, strength: r.strength })),
    recruited: structure.recruitment?.events ?? [],
  };
}

/**
 * The k largest positive entries of `row`, largest first; ties keep the earlier key first (as a
 * stable sort would), in one pass instead of a sort of every key.
 */
function topKeys(row: ArrayLike<number>, k: number): { weight: number; m: number }[] {
  const best: { weight: number; m: number }[] = [];
  for (let m = 0; m < row.length; m++) {
    const weight = row[m];
    if (!(weight > 0) || (best.length === k && weight <= best[k - 1].weight)) continue;
    let at = best.length;
    while (at > 0 && best[at - 1].weight < weight) at--;
    best.splice(at, 0, { weight, m });
    if (best.length > k) best.pop();
  }
  return best;
}

/** One head of an explanation, from maps already computed (one window). */
export function explainHead(
  maps: LocalistMaps,
  config: ModelConfig,
  structure: LocalistStructure,
  texts: readonly string[],
  l: number,
  h: number,
  options: ExplainSettings,
): ExplainedHead {
  const t = maps.length;
  const names = blockNames(structure.blocks, config.context);
  const blockOf = (position: number) => names[maps.blocks[position]];
  const { dial, delta } = options;
  const w = maps.weights[l][h];
  let entropy = 0;
  let fidelity = 0;
  let certified = 0;
  let scored = 0;
  let threshold = 0;
  const rows: ExplainedRow[] = [];
  for (let n = 0; n < t; n++) {
    const metrics = rowOf(maps, config, structure, dial, l, h, 0, n);
    const top = topKeys(w.subarray(n * t, n * t + t), options.top).map(({ weight, m }) => ({
      token: texts[m],
      block: blockOf(m),
      weight,
    }));
    const row: ExplainedRow = { token: texts[n], block: blockOf(n), top, metrics };
    if (metrics) {
      entropy += metrics.entropy;
      if (!Number.isNaN(metrics.fidelity)) {
        scored++;
        fidelity += metrics.fidelity;
        certified += 1 - metrics.leakBound;
        // Rules' bias gap counts toward the gap the dial must supply.
        row.threshold = dialThreshold(
          metrics.nIn,
          metrics.nOut,
          metrics.spread - metrics.biasGap,
          structure.margin,
          delta,
        );
        threshold = Math.max(threshold, row.threshold);
      }
    }
    rows.push(row);
  }
  return {
    layer: l,
    head: h,
    description: describeHead(config, structure, h),
    dial: dial[l][h],
    entropy: entropy / t,
    fidelity: fidelity / Math.max(1, scored),
    certifiedFidelity: certified / Math.max(1, scored),
    threshold,
    rows,
    weights: w,
  };
}

/** The explanation as text: per head a summary line, one line per row, and a heatmap. */
export function formatExplanation(explanation: Explanation): string {
  const { delta } = explanation;
  // Token texts and rule ids come from files: escaped, so they cannot drive the terminal.
  const texts = explanation.tokens.map((x) => printable(x.token, 40));
  const out = [
    `text: ${texts.map((text, i) => `${text}[${explanation.tokens[i].block}]`).join(" ")}`,
  ];
  for (const event of explanation.recruited)
    out.push(
      `recruited at step ${event.step}: ${event.into[0]} (${event.sizes[0]} tokens, e.g. ${event.examples[0].join(", ")}) and ${event.into[1]} (${event.sizes[1]} tokens, e.g. ${event.examples[1].join(", ")}), split from ${event.block}`,
    );
  if (explanation.rules.length > 0)
    out.push(
      `rules in place: ${explanation.rules.map((r) => `${printable(r.id)} (strength ${r.strength.toFixed(2)})`).join(", ")}`,
    );
  for (const head of explanation.heads) {
    out.push("");
    out.push(
      `layer ${head.layer}, head ${head.head} (${head.description}), λ = ${head.dial.toFixed(2)}: entropy ${head.entropy.toFixed(2)} bits, ` +
        `fidelity ${head.fidelity.toFixed(3)}, certified ≥ ${head.certifiedFidelity.toFixed(3)}, ` +
        `λ* for fidelity ≥ ${1 - delta} on every row: ${head.threshold.toFixed(2)}${head.threshold > 1 ? " (beyond the dial's range)" : ""}`,
    );
    for (const row of head.rows) {
      const keys = row.top
        .map((k) => `${printable(k.token, 40)}[${k.block}] ${k.weight.toFixed(2)}`)
        .join(", ");
      let note = "";
      if (row.metrics) {
        note =
          row.threshold === undefined
            ? "  (no relevant key)"
            : `  (fidelity ${row.metrics.fidelity.toFixed(2)}, certified ≥ ${(1 - row.metrics.leakBound).toFixed(2)}, λ* ${row.threshold.toFixed(2)})`;
      }
      out.push(`  ${printable(row.token, 40)}[${row.block}] → ${keys || "nothing"}${note}`);
    }
    out.push(...heatmap(head.weights, texts).map((line) => `  ${line}`));
  }
  return out.join("\n");
}
