/**
 * Head profiling for a rule, in the spirit of PASTA's head selection: apply the rule to one
 * (layer, head) at a time and rank the heads by the pointer fidelity the rule gains there per unit
 * of perplexity it costs,
 *
 *   score(ℓ, h) = (PF_on − PF_off) / max(ppl_on − ppl_off, 0.001 · ppl_off),
 *
 * PF measured on that head's matched rows with the rule at its strength (on) and at strength 0
 * (off), perplexity over a split with the rule on that head only. The top k become the rule's
 * `heads` as [layer, head] pairs.
 */
import { check } from "../src/engine/errors.js";
import { withScope, withStrength, type RuleSet, type RuleSpec } from "../src/localist/rules.js";
import { createEvaluator, evaluateStream } from "../src/train/evaluate.js";
import { checkWindows } from "../src/lm/rules.js";
import type { LocalistModel } from "../src/lm/localistModel.js";

/** One head's measurements with the rule applied to it alone. */
export interface HeadScore {
  layer: number;
  head: number;
  /** Mean fidelity on the head's matched rows without and with the rule. */
  fidelityOff: number;
  fidelityOn: number;
  perplexity: number;
  score: number;
}

/** A rule's heads ranked by score, and the perplexity without the rule. */
export interface HeadProfile {
  rule: string;
  baselinePerplexity: number;
  /** Best first. */
  heads: HeadScore[];
}

/** Where and how much to measure. */
export interface ProfileOptions {
  split: "valid" | "test";
  /** Windows whose attention rows are measured. */
  windows: number;
  /** Sliding windows of the split for perplexity. */
  evalWindows: number;
  dial?: number[][];
}

/** Profiles one compiled rule (a rule set of one) over every head. Borrows the model's params. */
export async function profileHeads(
  model: LocalistModel,
  rule: RuleSet,
  options: ProfileOptions,
): Promise<HeadProfile> {
  check(rule.length === 1, "profile one rule at a time");
  const { config, params } = model;
  const { windows, blocks } = checkWindows(model, {
    split: options.split,
    windows: options.windows,
  });
  const ids = model.split(options.split);
  const idBlocks = model.splitBlocks(options.split);
  const rules = model.replaceableRules();
  const evaluator = createEvaluator(config, model.hooks({ dial: options.dial, rules }));
  const perplexity = async () =>
    (
      await evaluateStream(params, config, ids, {
        evaluator,
        maxWindows: options.evalWindows,
        ...(idBlocks ? { blocks: idBlocks } : {}),
      })
    ).perplexity;
  const fidelity = (scoped: RuleSet) =>
    model.check(scoped, windows, { dial: options.dial, ...(blocks ? { blocks } : {}) }).rules[0]
      .fidelity.mean;
  try {
    const baseline = await perplexity();
    const heads: HeadScore[] = [];
    for (let layer = 0; layer < config.layers; layer++)
      for (let head = 0; head < config.heads; head++) {
        const scoped = withScope(rule, config, layer, head);
        rules.setRules(scoped);
        const ppl = await perplexity();
        const on = fidelity(scoped);
        const off = fidelity(withStrength(scoped, 0));
        const cost = Math.max(ppl - baseline, 1e-3 * baseline);
        heads.push({
          layer,
          head,
          fidelityOff: off,
          fidelityOn: on,
          perplexity: ppl,
          score: Number.isNaN(on) ? -Infinity : (on - off) / cost,
        });
      }
    heads.sort((a, b) => b.score - a.score);
    return { rule: rule[0].id, baselinePerplexity: baseline, heads };
  } finally {
    evaluator.dispose();
  }
}

/** The rules file with one rule's heads replaced by the top k of a profile. */
export function rulesWithHeads(
  specs: readonly RuleSpec[],
  profile: HeadProfile,
  k: number,
): { rules: RuleSpec[] } {
  const top = profile.heads
    .filter((h) => Number.isFinite(h.score))
    .slice(0, k)
    .map((h): [number, number] => [h.layer, h.head]);
  return {
    rules: specs.map((spec) => {
      if (spec.id !== profile.rule) return spec;
      const { layers: _layers, ...rest } = spec;
      return { ...rest, heads: top };
    }),
  };
}

/** The profile as a Markdown table. */
export function profileTable(profile: HeadProfile): string {
  const f = (x: number) => (Number.isNaN(x) ? "—" : x.toFixed(3));
  return [
    `rule ${profile.rule}: baseline perplexity ${profile.baselinePerplexity.toFixed(2)}`,
    "| rank | layer | head | fidelity off | fidelity on | perplexity | gain per unit of perplexity |",
    "|---|---|---|---|---|---|---|",
    ...profile.heads.map(
      (h, i) =>
        `| ${i + 1} | ${h.layer} | ${h.head} | ${f(h.fidelityOff)} | ${f(h.fidelityOn)} | ${h.perplexity.toFixed(2)} | ${Number.isFinite(h.score) ? h.score.toFixed(3) : "— (no matched rows)"} |`,
    ),
  ].join("\n");
}
