/**
 * Rules as one attention hook (docs/math.md#rules): on the host, each window's rule matches become
 * one additive log-bias per layer and head, b = Σ_rules b^(r); inside the compiled pass the hook
 * hands layer ℓ its slice. The bias enters as an argument of fixed shape whatever the rules are,
 * so one compiled function serves every rule set and strength, and `setRules` changes the next
 * forward pass of a loaded model without reloading or recompiling anything.
 *
 * Shapes: B windows, L layers, H heads (Hl local first, Hg global), T positions, nb blocks of W.
 */
import { fromHost, np, type JaxArray } from "../engine/engine.js";
import { blockLayout } from "../attention/causal.js";
import { localHeadCount, localWindow, type ModelConfig } from "../model/config.js";
import type { HookSource } from "../model/hooks.js";
import type { RuleSet } from "./rules.js";
import { selects } from "./selectors.js";

/** The queries a rule matches in one window and the keys S(i) it selects for each. */
export interface RuleMatches {
  /** Matched query positions with a non-empty S(i), ascending. */
  queries: number[];
  /** S(i) for each matched query: key positions j ≤ i, ascending. */
  keys: number[][];
}

/**
 * Matches of every rule in one window `tokens` (length T), with the window's blocks per occurrence
 * when it has them: result[r].
 */
export function matchRules(
  rules: RuleSet,
  tokens: ArrayLike<number>,
  blocks?: ArrayLike<number>,
): RuleMatches[] {
  const t = tokens.length;
  return rules.map((rule) => {
    const found: RuleMatches = { queries: [], keys: [] };
    for (let i = 0; i < t; i++) {
      if (!selects(rule.query, tokens, i, i, blocks)) continue;
      const keys: number[] = [];
      for (let j = 0; j <= i; j++) if (selects(rule.key, tokens, i, j, blocks)) keys.push(j);
      if (keys.length === 0) continue;
      found.queries.push(i);
      found.keys.push(keys);
    }
    return found;
  });
}

/**
 * Adds one rule's bias to the (H, T, T) block of one window and layer in `out` at `offset`:
 * +s on S(i) (include) or −s on the keys j ≤ i outside S(i) (exclude), for heads in scope.
 */
function addRuleBias(
  out: Float32Array,
  offset: number,
  rule: RuleSet[number],
  matches: RuleMatches,
  layer: number,
  heads: number,
  t: number,
): void {
  for (let h = 0; h < heads; h++) {
    if (!rule.scope[layer * heads + h]) continue;
    const base = offset + h * t * t;
    matches.queries.forEach((i, q) => {
      const row = base + i * t;
      if (rule.mode === "include") {
        for (const j of matches.keys[q]) out[row + j] += rule.strength;
      } else {
        const chosen = new Set(matches.keys[q]);
        for (let j = 0; j <= i; j++) if (!chosen.has(j)) out[row + j] -= rule.strength;
      }
    });
  }
}

/**
 * The dense bias of a batch of windows (B·T ids, and their B·T blocks per occurrence when they
 * have them): (B, L, H, T, T), and each window's matches.
 */
export function denseRuleBias(
  rules: RuleSet,
  tokens: Int32Array,
  batch: number,
  config: Pick<ModelConfig, "layers" | "heads">,
  blocks?: Int32Array,
): { bias: Float32Array; matches: RuleMatches[][] } {
  const t = tokens.length / batch;
  const { layers, heads } = config;
  const bias = new Float32Array(batch * layers * heads * t * t);
  const matches: RuleMatches[][] = [];
  for (let b = 0; b < batch; b++) {
    const window = blocks?.subarray(b * t, (b + 1) * t);
    const found = matchRules(rules, tokens.subarray(b * t, (b + 1) * t), window);
    matches.push(found);
    rules.forEach((rule, r) => {
      for (let l = 0; l < layers; l++)
        addRuleBias(bias, (b * layers + l) * heads * t * t, rule, found[r], l, heads, t);
    });
  }
  return { bias, matches };
}

/** Heads [from, to) of a dense (B, L, H, T, T) bias as (B, L, to − from, T, T). */
function denseHeads(
  dense: Float32Array,
  shape: { batch: number; layers: number; heads: number; t: number },
  from: number,
  to: number,
): Float32Array {
  const { batch, layers, heads, t } = shape;
  const out = new Float32Array(batch * layers * (to - from) * t * t);
  for (let bl = 0; bl < batch * layers; bl++)
    out.set(
      dense.subarray((bl * heads + from) * t * t, (bl * heads + to) * t * t),
      bl * (to - from) * t * t,
    );
  return out;
}

/** Heads [0, hl) of a dense (B, L, H, T, T) bias in the local block layout (B, L, Hl, nb, W, 2W). */
function localBlocks(
  dense: Float32Array,
  shape: { batch: number; layers: number; heads: number; t: number },
  hl: number,
  w: number,
): Float32Array {
  const { batch, layers, heads, t } = shape;
  const { blocks: nb } = blockLayout(t, w);
  const out = new Float32Array(batch * layers * hl * nb * w * 2 * w);
  for (let bl = 0; bl < batch * layers; bl++)
    for (let h = 0; h < hl; h++) {
      const from = (bl * heads + h) * t * t;
      const to = (bl * hl + h) * nb * w * 2 * w;
      for (let blk = 0; blk < nb; blk++)
        for (let i = 0; i < w; i++) {
          const n = blk * w + i;
          if (n >= t) continue;
          for (let j = 0; j < 2 * w; j++) {
            const m = (blk - 1) * w + j;
            if (m >= 0 && m <= n) out[to + ((blk * w + i) * 2 * w + j)] = dense[from + n * t + m];
          }
        }
    }
  return out;
}

type RuleInputs = { global?: JaxArray; local?: JaxArray };

/** A hook source whose rule set can be replaced between forward passes. */
export interface RuleHook extends HookSource<RuleInputs> {
  /** The rules in place now. */
  /** Replaces the rules; the next batch's inputs use them. */
  setRules(rules: RuleSet): void;
  readonly rules: RuleSet;
}

/** The rules of a model as an attention hook (no rules: a zero bias). */
export function ruleHook(config: ModelConfig, initial: RuleSet = []): RuleHook {
  let current = initial;
  const hl = localHeadCount(config);
  const { layers, heads } = config;
  return {
    name: "rules",
    get rules() {
      return current;
    },
    setRules(rules) {
      current = rules;
    },
    inputs({ tokens, batch, length: t, blocks }) {
      const { bias } = denseRuleBias(current, tokens, batch, config, blocks);
      const shape = { batch, layers, heads, t };
      const inputs: RuleInputs = {};
      if (hl < heads)
        inputs.global = fromHost(
          denseHeads(bias, shape, hl, heads),
          [batch, layers, heads - hl, t, t],
          np.float32,
        );
      if (hl > 0) {
        const w = localWindow(config);
        const { blocks: nb } = blockLayout(t, w);
        inputs.local = fromHost(
          localBlocks(bias, shape, hl, w),
          [batch, layers, hl, nb, w, 2 * w],
          np.float32,
        );
      }
      return inputs;
    },
    attach({ global, local }) {
      return {
        bias: (layer) => ({
          global: global?.ref.slice([], layer), // (B, Hg, T, T)
          local: local?.ref.slice([], layer), // (B, Hl, nb, W, 2W)
        }),
        finish() {
          global?.dispose();
          local?.dispose();
          return [];
        },
      };
    },
  };
}
