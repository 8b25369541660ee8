/**
 * Compliance of a model with its rules (docs/math.md#the-bound-with-rules): run the model on
 * token windows with the rules (and the dial) in place and, per rule, over every row it matches
 * (window, layer and head in scope, query i with targets S(i) among the keys the head can see):
 *
 *   fidelity   PF(i) = Σ_{j ∈ S(i)} a_ij                        (measured)
 *   certified  1 − 1/(1 + (n_in/n_out) e^{G_i − Δ_i})             (guaranteed by the bound)
 *   required   s* = max_i max(0, Δ_i + ln(n_out/n_in) + ln(p/(1 − p)) − G'_i)
 *
 * with G_i the gap of the total bias (dial, every rule) between S(i) and the other keys, G'_i =
 * G_i − s the gap without this rule's own strength s, and p = minFidelity: at strength s* every
 * matched row is certified to reach p (at these content scores; changing a rule's strength also
 * changes the scores of later layers, so check again at s*). A rule passes when it matched at least
 * one row and its worst row reaches p.
 *
 * Shapes: B windows, T positions, L layers, H heads.
 */
import { check } from "../engine/errors.js";
import { localHeadCount, localWindow, type ModelConfig } from "../model/config.js";
import { allowedKey, attentionMaps, type AttentionMaps } from "../model/inspect.js";
import type { HookSource } from "../model/hooks.js";
import type { ParamMap } from "../model/params.js";
import { blockIds } from "./blocks.js";
import { MetricTotals, requiredGap, rowMetrics, type MetricSummary } from "./metrics.js";
import { denseRuleBias, type RuleMatches } from "./ruleHook.js";
import type { CompiledRule, RuleSet } from "./rules.js";
import type { LocalistStructure } from "./structure.js";

/** How the model runs while its rules are checked. */
export interface RuleRunOptions {
  /** The compiled rules in place. */
  rules: RuleSet;
  /** The localist structure and (L, H) dial of a localist model (its dial bias counts in G). */
  localist?: { structure: LocalistStructure; dial: number[][] };
  /**
   * Every hook of the pass, assembled by the model object (src/lm/hooks.ts): the dial at
   * `localist.dial`, anchors, and the rules. Biases other than the dial's and the rules' are not
   * counted in G, so give none that bias.
   */
  sources: readonly HookSource[];
  /** Key visibility beyond the causal mask and window (anchors): allowed(b, head, n, m). */
  allowed?: (b: number, head: number, n: number, m: number) => boolean;
  /**
   * The blocks per occurrence of each window (text labelled word by word, a prepared split), read
   * by the dial, the rules' block selectors and the hooks; absent: each token's block.
   */
  blocks?: readonly Uint8Array[];
}

/** Attention of a batch of windows with the rules in place, and the total bias on the host. */
export interface RuleMaps extends AttentionMaps {
  /** (B, L, H, T, T) total additive bias: the dial's and every rule's. */
  bias: Float32Array;
  /** matches[b][r]: rule r's matched queries in window b. */
  matches: RuleMatches[][];
}

/** The dial's bias −λm(1 − rel) added into a dense (B, L, H, T, T) bias. */
function addDialBias(
  bias: Float32Array,
  tokens: Int32Array,
  batch: number,
  config: ModelConfig,
  localist: NonNullable<RuleRunOptions["localist"]>,
  positionBlocks?: Int32Array,
): void {
  const { structure, dial } = localist;
  const t = tokens.length / batch;
  const blocks = blockIds(structure.blocks, tokens, t, positionBlocks);
  const g = structure.routing.blocks;
  const { layers, heads } = config;
  for (let b = 0; b < batch; b++)
    for (let l = 0; l < layers; l++)
      for (let h = 0; h < heads; h++) {
        const strength = dial[l][h] * structure.margin;
        if (strength === 0) continue;
        const base = ((b * layers + l) * heads + h) * t * t;
        for (let n = 0; n < t; n++) {
          const row = (h * g + blocks[b * t + n]) * g;
          for (let m = 0; m < t; m++)
            if (!structure.routing.targets[row + blocks[b * t + m]])
              bias[base + n * t + m] -= strength;
        }
      }
}

/**
 * Zeroes the bias of local heads on keys before their window (m < n − W): those keys are either
 * masked or anchors, which carry no bias (model/hooks.ts, `visibleKeys`).
 */
function zeroBeyondWindow(bias: Float32Array, batch: number, config: ModelConfig, t: number): void {
  const hl = localHeadCount(config);
  if (hl === 0) return;
  const w = localWindow(config);
  const { layers, heads } = config;
  for (let bl = 0; bl < batch * layers; bl++)
    for (let h = 0; h < hl; h++)
      for (let n = w + 1; n < t; n++) {
        const row = ((bl * heads + h) * t + n) * t;
        bias.fill(0, row, row + n - w);
      }
}

/**
 * Runs the model on a batch of windows (B·T ids, with their B·T blocks per occurrence when they
 * have them) with the rules and the dial. Borrows params.
 */
export function ruleMaps(
  params: ParamMap,
  config: ModelConfig,
  tokens: Int32Array,
  batch: number,
  options: RuleRunOptions,
  blocks?: Int32Array,
): RuleMaps {
  const maps = attentionMaps(params, config, tokens, batch, options.sources, blocks);
  const { bias, matches } = denseRuleBias(options.rules, tokens, batch, config, blocks);
  if (options.localist) addDialBias(bias, tokens, batch, config, options.localist, blocks);
  zeroBeyondWindow(bias, batch, config, tokens.length / batch);
  return { ...maps, bias, matches };
}

/** One matched row of a rule, for the report's examples. */
export interface RuleRow {
  /** The window, from 0. */
  window: number;
  /** The layer, from 0. */
  layer: number;
  /** The head within the layer, from 0. */
  head: number;
  /** The query's position in the window. */
  query: number;
  /** The key positions the rule selects for this query. */
  targets: number[];
  /** Measured fidelity: the attention mass on the targets. */
  fidelity: number;
  /** Certified fidelity: 1 − the leak bound with every bias in place. */
  certified: number;
}

/** What the check found for one rule. */
export interface RuleResult {
  /** The rule's id. */
  id: string;
  /** "include" (+s on the targets) or "exclude" (−s on the rest). */
  mode: "include" | "exclude";
  /** s = λ·m, and α = e^(−s). */
  strength: number;
  /** α = e^(−s). */
  alpha: number;
  /** The fidelity the rule requires. */
  minFidelity: number;
  /** Matched (window, query) pairs. */
  queries: number;
  /** Matched rows: queries × heads in scope whose targets the head can see. */
  rows: number;
  /** Matched rows whose targets lie outside what the head can see (fidelity 0). */
  unreachable: number;
  /** Measured fidelity over the matched rows: the mean and the lowest. */
  fidelity: { mean: number; worst: number };
  /** Certified fidelity over the matched rows: the mean and the lowest. */
  certified: { mean: number; worst: number };
  /** s* certifying minFidelity on every matched row (Infinity: none can; NaN: no rows). */
  requiredStrength: number;
  /** Rows whose measured leak exceeds the certified bound (0 unless something is wrong). */
  violations: number;
  /** Whether the rule matched some row and its lowest measured fidelity reaches `minFidelity`. */
  passed: boolean;
  /** The worst rows (lowest fidelity), for the report. */
  worstRows: RuleRow[];
}

/** Running totals of one rule's rows. */
class RuleTotals {
  rows = 0;
  unreachable = 0;
  fidelity = 0;
  certified = 0;
  worstFidelity = Infinity;
  worstCertified = Infinity;
  required = 0;
  violations = 0;
  queries = 0;
  worst: RuleRow[] = [];

  constructor(readonly rule: CompiledRule) {}

  add(row: RuleRow, required: number, violated: boolean): void {
    this.rows++;
    this.fidelity += row.fidelity;
    this.certified += row.certified;
    this.worstFidelity = Math.min(this.worstFidelity, row.fidelity);
    this.worstCertified = Math.min(this.worstCertified, row.certified);
    this.required = Math.max(this.required, required);
    if (violated) this.violations++;
    this.worst.push(row);
    this.worst.sort((a, b) => a.fidelity - b.fidelity);
    if (this.worst.length > 3) this.worst.pop();
  }

  result(): RuleResult {
    const { rule } = this;
    const n = this.rows + this.unreachable;
    const mean = (x: number) => (n === 0 ? NaN : x / n);
    const worst = (x: number) => (n === 0 ? NaN : this.unreachable > 0 ? 0 : x);
    const fidelity = { mean: mean(this.fidelity), worst: worst(this.worstFidelity) };
    return {
      id: rule.id,
      mode: rule.mode,
      strength: rule.strength,
      alpha: Math.exp(-rule.strength),
      minFidelity: rule.minFidelity,
      queries: this.queries,
      rows: this.rows,
      unreachable: this.unreachable,
      fidelity,
      certified: { mean: mean(this.certified), worst: worst(this.worstCertified) },
      requiredStrength: n === 0 ? NaN : this.unreachable > 0 ? Infinity : this.required,
      violations: this.violations,
      passed: n > 0 && fidelity.worst >= rule.minFidelity - 1e-9,
      worstRows: this.worst,
    };
  }
}

/** The strength s* one row needs for fidelity ≥ p, given its gap without the rule. */
function rowRequirement(
  nIn: number,
  nOut: number,
  spread: number,
  otherGap: number,
  p: number,
): number {
  if (nOut === 0 || p <= 0) return 0;
  if (p >= 1) return Infinity;
  return Math.max(0, requiredGap(nIn, nOut, spread, 1 - p) - otherGap);
}

/** Every rule's rows in one batch of rule maps, added to `totals`. */
function scoreBatch(
  maps: RuleMaps,
  config: ModelConfig,
  totals: RuleTotals[],
  allowed: (b: number, head: number, n: number, m: number) => boolean,
  windowIndex: (b: number) => number,
  overall?: MetricTotals,
): void {
  const t = maps.length;
  const { layers, heads } = config;
  for (let b = 0; b < maps.batch; b++) {
    totals.forEach((total, r) => {
      const { rule } = total;
      const found = maps.matches[b][r];
      total.queries += found.queries.length;
      found.queries.forEach((n, q) => {
        const chosen = new Set(found.keys[q]);
        for (let l = 0; l < layers; l++)
          for (let h = 0; h < heads; h++) {
            if (!rule.scope[l * heads + h]) continue;
            const allowedRow = Array.from({ length: t }, (_, m) => (allowed(b, h, n, m) ? 1 : 0));
            const relevant = allowedRow.map((ok, m) => (ok && chosen.has(m) ? 1 : 0));
            if (!relevant.includes(1)) {
              total.unreachable++;
              continue;
            }
            const at = (b * t + n) * t;
            const biasAt = (((b * layers + l) * heads + h) * t + n) * t;
            const metrics = rowMetrics({
              weights: maps.weights[l][h].subarray(at, at + t),
              scores: maps.scores[l][h].subarray(at, at + t),
              allowed: allowedRow,
              relevant,
              strength: 0,
              bias: maps.bias.subarray(biasAt, biasAt + t),
            });
            if (!metrics) continue;
            const certified = 1 - metrics.leakBound;
            total.add(
              {
                window: windowIndex(b),
                layer: l,
                head: h,
                query: n,
                targets: found.keys[q].filter((m) => allowedRow[m]),
                fidelity: metrics.fidelity,
                certified,
              },
              rowRequirement(
                metrics.nIn,
                metrics.nOut,
                metrics.spread,
                metrics.biasGap - rule.strength,
                rule.minFidelity,
              ),
              1 - metrics.fidelity > metrics.leakBound + 1e-4,
            );
            overall?.add(metrics);
          }
      });
    });
  }
}

/** The compliance of a model with its rules over token windows. */
export interface ComplianceReport {
  /** Windows read. */
  windows: number;
  /** Tokens read. */
  tokens: number;
  /** One result per rule, in the rules' order. */
  rules: RuleResult[];
  /** Whether every rule passed. */
  passed: boolean;
  /** Over every matched row of every rule (entropy, fidelity, certified, violations). */
  overall: MetricSummary;
}

/**
 * Checks every rule over `windows` (arrays of token ids, each at most the context). Borrows params.
 */
export function checkCompliance(
  params: ParamMap,
  config: ModelConfig,
  windows: readonly Int32Array[],
  options: RuleRunOptions & { batch?: number },
): ComplianceReport {
  check(windows.length > 0, "there is no text to check the rules on");
  const windowBlocks = options.blocks;
  check(
    windowBlocks === undefined ||
      (windowBlocks.length === windows.length &&
        windowBlocks.every((b, w) => b.length === windows[w].length)),
    "every window needs the block of each of its tokens",
  );
  const totals = options.rules.map((rule) => new RuleTotals(rule));
  const overall = new MetricTotals();
  const batch = options.batch ?? 8;
  // Windows of one length run together.
  const byLength = new Map<number, number[]>();
  windows.forEach((w, i) => byLength.set(w.length, [...(byLength.get(w.length) ?? []), i]));
  let tokens = 0;
  for (const [t, indices] of byLength) {
    check(t >= 1 && t <= config.context, `a window has ${t} tokens; 1 to ${config.context} fit`);
    for (let start = 0; start < indices.length; start += batch) {
      const chosen = indices.slice(start, start + batch);
      const ids = new Int32Array(chosen.length * t);
      chosen.forEach((w, b) => ids.set(windows[w], b * t));
      let blocks: Int32Array | undefined;
      if (windowBlocks) {
        blocks = new Int32Array(chosen.length * t);
        chosen.forEach((w, b) => (blocks as Int32Array).set(windowBlocks[w], b * t));
      }
      tokens += ids.length;
      const maps = ruleMaps(params, config, ids, chosen.length, options, blocks);
      const allowed = (b: number, head: number, n: number, m: number) =>
        options.allowed ? options.allowed(chosen[b], head, n, m) : allowedKey(config, head, n, m);
      scoreBatch(maps, config, totals, allowed, (b) => chosen[b], overall);
    }
  }
  const rules = totals.map((total) => total.result());
  return {
    windows: windows.length,
    tokens,
    rules,
    passed: rules.every((r) => r.passed),
    overall: overall.summary(),
  };
}
