/**
 * What the page shows for one text and dial, computed by the library the command line uses: the
 * explanation of `localist explain` (per head and per row: entropy, pointer fidelity, certified
 * fidelity, λ*), the overall means as `localist sweep` takes them, the next-token distribution,
 * and the compliance report of `localist check` when rules are given. Runs in the compute worker.
 */
import { parseJsonBytes } from "../io/jsonBytes.js";
import { LocalistError } from "../engine/errors.js";
import { dialMatrix, type Schedule } from "../localist/dial.js";
import type { Explanation } from "../localist/explain.js";
import { MetricTotals, type MetricSummary } from "../localist/metrics.js";
import type { ComplianceReport } from "../localist/compliance.js";
import type { RuleSet } from "../localist/rules.js";
import { topNextTokens, type ExplainSession, type NextToken } from "../lm/explainSession.js";
import type { BlockLabeller, LocalistModel } from "../lm/localistModel.js";

/** The dial as the page holds it: one value and a schedule, or one value per (layer, head). */
export interface DialState {
  value: number;
  schedule: Schedule;
  /** Per-(layer, head) values that replace the schedule's, when the person set them. */
  perHead?: number[][];
}

/** The (L, H) dial matrix of a dial state for a model of `layers` × `heads`. */
export function dialOf(shape: { layers: number; heads: number }, dial: DialState): number[][] {
  return (
    dial.perHead?.map((row) => [...row]) ??
    dialMatrix(dial.value, dial.schedule, shape.layers, shape.heads)
  );
}

/** The tokens of a text: all of them, and the window of at most the context that is analysed. */
export interface TextWindow {
  ids: Int32Array;
  texts: string[];
  /** The block of every position, when the tagger labelled the text per occurrence. */
  blocks?: Uint8Array;
  /** Tokens in the whole text. */
  total: number;
  /** Position of the window's first token in the text. */
  start: number;
}

/**
 * Encodes `text` (with blocks per occurrence when a `labeller` is given and the model's blocks
 * come from it) and takes the window of at most T tokens starting at `start` (clamped).
 */
export function textWindow(
  model: LocalistModel,
  text: string,
  start = 0,
  labeller?: BlockLabeller,
): TextWindow {
  const all = labeller ? model.encodeWithBlocks(text, labeller) : { ids: model.encode(text) };
  const total = all.ids.length;
  if (total === 0) throw new LocalistError("the text has no tokens; type some words");
  const t = model.config.context;
  const first = Math.max(0, Math.min(Math.floor(start), total - Math.min(t, total)));
  const ids = all.ids.slice(first, first + t);
  const window: TextWindow = { ids, texts: model.tokenizer.decode(ids), total, start: first };
  if (all.blocks) window.blocks = all.blocks.slice(first, first + t);
  return window;
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
  /** (T·V) logits of every position (borrowed from the session until its next pass). */
  logits: Float32Array;
  /** Layers the session ran for this analysis. */
  layersRun: number;
}

/**
 * Runs the model on the session's window at the dial (only the layers from the first whose dial
 * changed since the session's last pass) with the session's rules; borrows the model's arrays.
 */
export function analyse(
  model: LocalistModel,
  session: ExplainSession,
  window: TextWindow,
  dial: number[][],
  rules: RuleSet,
): Analysis {
  const { explanation, logits, layersRun } = session.explain(dial);
  const totals = new MetricTotals();
  for (const head of explanation.heads)
    for (const row of head.rows) if (row.metrics) totals.add(row.metrics);
  const result: Analysis = {
    window,
    dial,
    explanation,
    overall: totals.summary(),
    logits,
    layersRun,
  };
  if (rules.length > 0) result.compliance = model.check(rules, [window.ids], { dial });
  return result;
}

/** The k most likely next tokens after `position` of the analysed window, with probabilities. */
export function nextTokens(
  model: LocalistModel,
  analysis: Analysis,
  position: number,
  k = 8,
): NextToken[] {
  const decode = (ids: ArrayLike<number>) => model.tokenizer.decode(ids);
  return topNextTokens(analysis.logits, decode, model.config.vocabSize, position, k);
}
