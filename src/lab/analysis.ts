/**
 * What the page shows for one text and dial, computed by the library the command line uses: the
 * explanation of `localist explain` (per head and per row: entropy, pointer fidelity, certified
 * fidelity, λ*), the overall means as `localist sweep` takes them, the next-token distribution,
 * and the compliance report of `localist check` when rules are given.
 */
import { parseJsonBytes } from "../io/jsonBytes.js";
import { LocalistError } from "../engine/errors.js";
import type { Schedule } from "../localist/dial.js";
import type { Explanation } from "../localist/explain.js";
import { MetricTotals, type MetricSummary } from "../localist/metrics.js";
import type { ComplianceReport } from "../localist/compliance.js";
import type { RuleSet } from "../localist/rules.js";
import type { LocalistModel } from "../lm/localistModel.js";

/** The dial as the page holds it: one value and a schedule, or one value per (layer, head). */
export interface DialState {
  value: number;
  schedule: Schedule;
  /** Per-(layer, head) values that replace the schedule's, when the person set them. */
  perHead?: number[][];
}

/** The (L, H) dial matrix of a dial state. */
export function dialOf(model: LocalistModel, dial: DialState): number[][] {
  return dial.perHead?.map((row) => [...row]) ?? model.dial(dial.value, dial.schedule);
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
  const all = model.encode(text);
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
    return { rules: model.parseRules(value, "rules file") };
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
  const explanation = model.explain(window.ids, { dial, top: 3, delta: 0.05, rules });
  const totals = new MetricTotals();
  for (const head of explanation.heads)
    for (const row of head.rows) if (row.metrics) totals.add(row.metrics);
  const result: Analysis = { window, dial, explanation, overall: totals.summary() };
  if (rules.length > 0) {
    const windows = [window.ids];
    result.compliance = model.check(rules, windows, { dial });
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
  return model.nextTokens(window.ids, position, { dial, rules, k });
}
