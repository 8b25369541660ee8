/**
 * Rules (docs/math.md#rules): "queries matching a selector attend to keys matching a selector, in
 * these layers and heads, with this strength", read from a JSON file and compiled against a model.
 * A rule is one more additive log-bias on the attention logits (./ruleHook.ts), so it changes a
 * model at evaluation, sampling and inspection time without retraining:
 *
 *   include:  b_ij = +s for j ∈ S(i)           (boost the selected keys)
 *   exclude:  b_ij = −s for j ∉ S(i), j ≤ i     (suppress the rest)
 *
 * for every query i the query selector matches, S(i) the keys the key selector selects. Softmax
 * ignores a constant added to a row, so for one rule both modes give the same weights; they differ
 * when rules combine (boosts add up over a union of targets, suppressions over an intersection).
 * The strength is s = λ·m directly, or PASTA's α (attention outside the highlighted keys scaled
 * by α, i.e. s = −ln α). Each rule states the pointer fidelity it must reach, `minFidelity`.
 *
 * A rules file:  { "rules": [ { "id": "…", "query": {…}, "key": {…}, "layers": [1],
 *                   "heads": [0, [1, 2]], "alpha": 0.01, "mode": "include", "minFidelity": 0.9 } ] }
 */
import { z } from "zod";
import { LocalistError } from "../engine/errors.js";
import { printable } from "../engine/printable.js";
import { parseWith } from "../engine/validate.js";
import type { ModelConfig } from "../model/config.js";
import {
  compileSelector,
  SELECTOR_FORMS,
  SELECTOR_SCHEMA,
  selectorShapeProblem,
  type Selector,
  type SelectorContext,
} from "./selectors.js";

/** The largest strength: e^(−1000) is 0 in any float, and larger biases only risk overflow. */
export const MAX_STRENGTH = 1000;

const index = z.number().int().min(0);

/** One rule as written in a rules file. */
export const RULE_SCHEMA = z
  .object({
    /** The rule's name in reports and errors. */
    id: z.string().min(1).max(200),
    /** The queries the rule applies to. */
    query: SELECTOR_SCHEMA,
    /** The keys those queries are pointed at. */
    key: SELECTOR_SCHEMA,
    /** The layers it applies in (default: every layer). */
    layers: z.array(index).min(1).optional(),
    /** The heads it applies in: h in every chosen layer, or [ℓ, h] (default: every head). */
    heads: z
      .array(z.union([index, z.tuple([index, index])]))
      .min(1)
      .optional(),
    /** s = λ·m, the log-bias gap between the selected keys and the rest (give this or `alpha`). */
    strength: z.number().min(0).max(MAX_STRENGTH).optional(),
    /** PASTA's α ∈ (0, 1]: attention outside the selected keys scaled by α, i.e. s = −ln α. */
    alpha: z.number().gt(0).max(1).optional(),
    /** "include" (default): +s on the selected keys; "exclude": −s on the rest (the same alone; different when rules combine). */
    mode: z.enum(["include", "exclude"]).optional(),
    /** The fidelity the compliance check requires of the rule, in [0, 1]. */
    minFidelity: z.number().min(0).max(1),
  })
  .strict();

/**
 * One rule as written in a rules file: `id`, the query and key selectors, optional layers and
 * heads, the strength s = λ·m (or α, s = −ln α), include or exclude, and the fidelity it must reach
 * (`minFidelity`).
 */
export type RuleSpec = z.infer<typeof RULE_SCHEMA>;

const FILE_SCHEMA = z.object({ rules: z.array(z.record(z.string(), z.unknown())).min(1) }).strict();

const RULE_FIELDS = Object.keys(RULE_SCHEMA.shape);

/** A rule compiled against a model. */
export interface CompiledRule {
  readonly id: string;
  readonly mode: "include" | "exclude";
  /** s = λ·m (or −ln α), ≥ 0. */
  readonly strength: number;
  readonly minFidelity: number;
  /** (L·H) 1 where the rule applies: scope[ℓ·H + h]. */
  readonly scope: Uint8Array;
  readonly query: Selector;
  readonly key: Selector;
  /** The rule as written. */
  readonly spec: RuleSpec;
}

/** Compiled rules, ready for `ruleHook` and `checkCompliance`. */
export type RuleSet = readonly CompiledRule[];

/** The strength of a spec: s = λ·m, or −ln α. */
export function ruleStrength(spec: Pick<RuleSpec, "strength" | "alpha">): number {
  return spec.strength ?? -Math.log(spec.alpha ?? 1);
}

/** Where a rule applies, as an (L·H) table, checked against the model's layers and heads. */
function ruleScope(spec: RuleSpec, config: ModelConfig, where: string): Uint8Array {
  const { layers: l, heads: h } = config;
  const layer = (x: number) => {
    if (x >= l)
      throw new LocalistError(
        `${where}: layer ${x} does not exist; the model has ${l} layer${l === 1 ? "" : "s"} (0–${l - 1})`,
      );
    return x;
  };
  const head = (x: number) => {
    if (x >= h)
      throw new LocalistError(
        `${where}: head ${x} does not exist; the model has ${h} head${h === 1 ? "" : "s"} per layer (0–${h - 1})`,
      );
    return x;
  };
  const layers = (spec.layers ?? [...Array(l).keys()]).map(layer);
  const scope = new Uint8Array(l * h);
  for (const entry of spec.heads ?? [...Array(h).keys()]) {
    if (Array.isArray(entry)) {
      if (spec.layers !== undefined)
        throw new LocalistError(
          `${where}: heads given as [layer, head] pairs already name their layers; drop "layers"`,
        );
      scope[layer(entry[0]) * h + head(entry[1])] = 1;
    } else for (const at of layers) scope[at * h + head(entry)] = 1;
  }
  return scope;
}

/** Compiles rule specs against a model; one-line errors name the rule. */
export function compileRules(
  specs: readonly RuleSpec[],
  config: ModelConfig,
  context: SelectorContext,
  source = "rules",
): RuleSet {
  const seen = new Set<string>();
  return specs.map((spec, i) => {
    const where = `${source}: rule '${printable(spec.id)}' (rules[${i}])`;
    if (seen.has(spec.id))
      throw new LocalistError(
        `${where}: another rule has the id '${printable(spec.id)}'; ids must differ`,
      );
    seen.add(spec.id);
    if (spec.strength !== undefined && spec.alpha !== undefined)
      throw new LocalistError(
        `${where}: give the strength as "strength" (λ·m) or as "alpha" (PASTA's α), not both`,
      );
    if (spec.strength === undefined && spec.alpha === undefined)
      throw new LocalistError(
        `${where}: needs a strength: "strength" (λ·m in [0, ${MAX_STRENGTH}]) or "alpha" (PASTA's α in (0, 1])`,
      );
    const strength = ruleStrength(spec);
    if (!(strength <= MAX_STRENGTH))
      throw new LocalistError(
        `${where}: alpha = ${spec.alpha} gives strength −ln α = ${strength.toFixed(1)}, over ${MAX_STRENGTH}`,
      );
    const named = `${source}: rule '${printable(spec.id)}'`;
    return Object.freeze({
      id: spec.id,
      mode: spec.mode ?? "include",
      strength,
      minFidelity: spec.minFidelity,
      scope: ruleScope(spec, config, where),
      query: compileSelector(spec.query, context, "query", named),
      key: compileSelector(spec.key, context, "key", named),
      spec,
    });
  });
}

/**
 * Rule specs from a rules file's parsed JSON, each checked against the schema (errors name the
 * rule); `where` names the source, e.g. "rules file r.json". The page and the command line share it.
 */
export function parseRuleSpecs(value: unknown, where: string): RuleSpec[] {
  const { rules } = parseWith(
    FILE_SCHEMA,
    value,
    `${where} (expected {"rules": [{"id": …, "query": …, "key": …, "minFidelity": …}, …]})`,
  );
  return rules.map((raw, i) => {
    const id = typeof raw.id === "string" && raw.id !== "" ? `rule '${printable(raw.id)}' ` : "";
    const at = `${where}: ${id}(rules[${i}])`;
    const unknown = Object.keys(raw).find((field) => !RULE_FIELDS.includes(field));
    if (unknown !== undefined)
      throw new LocalistError(
        `${at}: unknown field '${printable(unknown)}'; a rule has ${RULE_FIELDS.join(", ")}`,
      );
    for (const role of ["query", "key"] as const) {
      const selector = raw[role];
      const problem = selectorShapeProblem(selector);
      if (problem) throw new LocalistError(`${at}: ${role} ${problem}`);
      // The form is known: its own schema names the real problem.
      if (typeof selector === "object" && selector !== null) {
        const form = Object.keys(selector)[0] as keyof typeof SELECTOR_FORMS;
        parseWith(z.object({ [role]: SELECTOR_FORMS[form] }), { [role]: selector }, at);
      }
    }
    return parseWith(RULE_SCHEMA, raw, at);
  });
}

/** The same rules with another strength (a sweep over s). */
export function withStrength(rules: RuleSet, strength: number): RuleSet {
  return rules.map((rule) => Object.freeze({ ...rule, strength }));
}

/** The same rules applied to one (layer, head) only (head profiling). */
export function withScope(rules: RuleSet, config: ModelConfig, layer: number, head: number) {
  const scope = new Uint8Array(config.layers * config.heads);
  scope[layer * config.heads + head] = 1;
  return rules.map((rule) => Object.freeze({ ...rule, scope }));
}
