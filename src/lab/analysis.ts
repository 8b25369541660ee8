/**
 * What the page shows for one text and dial, computed by the library the command line uses: the
 * explanation of `localist explain` (per head and per row: entropy, pointer fidelity, certified
 * fidelity, λ*), the overall means as `localist sweep` takes them, the next-token distribution,
 * and the compliance report of `localist check` when rules are given.
 */
import { parseJsonBytes } from "../io/jsonBytes.js";
import { fromHost, np, tree } from "../engine/engine.js";
import { LocalistError } from "../engine/errors.js";
import { dialMatrix, type Schedule } from "../localist/dial.js";
import { explainText, type Explanation } from "../localist/explain.js";
import { MetricTotals, type MetricSummary } from "../localist/metrics.js";
import { checkCompliance, type ComplianceReport } from "../localist/compliance.js";
import { parseRuleSpecs, type RuleSet } from "../localist/rules.js";
import { attachHooks, finishAndDiscard, hookInputs } from "../model/hooks.js";
import { forward } from "../model/transformer.js";
import { anchorHook } from "../localist/anchors.js";
import { modelHooks, type LocalistModel } from "../workflows/loadedModel.js";
import { encodeModelText, modelRules, ruleRunOptions } from "../workflows/ruleContext.js";

/** The dial as the page holds it: one value and a schedule, or one value per (layer, head). */
export interface DialState {
  value: number;
  schedule: Schedule;
  /** Per-(layer, head) values that replace the schedule's, when the person set them. */
  perHead?: number[][];
}

/** The (L, H) dial matrix of a dial state. */
export function dialOf(model: LocalistModel, dial: DialState): number[][] {
  return (
    dial.perHead?.map((row) => [...row]) ??
    dialMatrix(dial.value, dial.schedule, model.config.layers, model.config.heads)
  );
}

/** The tokens of a text: all of them, and the window of at most the context that is analysed. */
export interface TextWindow {
  ids: Int32Array;
  texts: string[];
  /** Tokens in the whole text. */
  total: number;
  /** Position of the window's first token in the text. */
  start: number;
}

/** Encodes `text` and takes the window of at most T tokens starting at `start` (clamped). */
export function textWindow(model: LocalistModel, text: string, start = 0): TextWindow {
  const all = encodeModelText(model, text);
  if (all.length === 0) throw new LocalistError("the text has no tokens; type some words");
  const t = model.config.context;
  const first = Math.max(0, Math.min(Math.floor(start), all.length - Math.min(t, all.length)));
  const ids = all.slice(first, first + t);
  return { ids, texts: model.tokenizer.decode(ids), total: all.length, start: first };
}

/** Rules from the editor's text: compiled for the model, or the one-line problem with them. */
export function parseRulesText(
  model: LocalistModel,
  text: string,
): { rules: RuleSet; error?: undefined } | { rules?: undefined; error: string } {
  if (text.trim() === "") return { rules: [] };
  try {
    // The same checks as the command line's (nesting depth, string length, then JSON).
    const value = parseJsonBytes(new TextEncoder().encode(text), "rules file");
    return { rules: modelRules(model, parseRuleSpecs(value, "rules file")) };
  } catch (error) {
    if (error instanceof LocalistError) return { error: error.message };
    throw error;
  }
}

export interface Analysis {
  window: TextWindow;
  dial: number[][];
  explanation: Explanation;
  /** Means over every row of every head, as `localist sweep` aggregates them. */
  overall: MetricSummary;
  compliance?: ComplianceReport;
}

/** Runs the model on the window at the dial with the rules; borrows the model's arrays. */
export function analyse(
  model: LocalistModel,
  window: TextWindow,
  dial: number[][],
  rules: RuleSet,
): Analysis {
  const explanation = explainText(
    model.params,
    model.config,
    model.localist,
    window.ids,
    window.texts,
    {
      dial,
      top: 3,
      delta: 0.05,
      rules,
      sources: model.anchors ? [anchorHook(model.anchors)] : [],
    },
  );
  const totals = new MetricTotals();
  for (const head of explanation.heads)
    for (const row of head.rows) if (row.metrics) totals.add(row.metrics);
  const result: Analysis = { window, dial, explanation, overall: totals.summary() };
  if (rules.length > 0) {
    const windows = [window.ids];
    result.compliance = checkCompliance(
      model.params,
      model.config,
      windows,
      ruleRunOptions(model, rules, windows, dial),
    );
  }
  return result;
}

/** The k most likely next tokens after `position` of the window, with probabilities. */
export function nextTokens(
  model: LocalistModel,
  window: TextWindow,
  dial: number[][],
  rules: RuleSet,
  position: number,
  k = 8,
): { token: string; probability: number }[] {
  const t = window.ids.length;
  const sources = modelHooks(model, dial, { rules });
  const inputs = hookInputs(sources, { tokens: window.ids, batch: 1, length: t, step: 0 });
  const hooks = attachHooks(sources, inputs);
  const logits = forward(
    tree.ref(model.params),
    fromHost(window.ids, [1, t], np.int32),
    model.config,
    { hooks },
  );
  finishAndDiscard(hooks);
  const row = Float64Array.from(logits.slice(0, position).dataSync() as ArrayLike<number>);
  const top = Math.max(...row);
  const weights = row.map((x) => Math.exp(x - top));
  const sum = weights.reduce((a, b) => a + b, 0);
  const vocabulary = model.tokenizer.toJSON().tokens;
  return Array.from(weights, (w, id) => ({ token: vocabulary[id], probability: w / sum }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, k);
}
