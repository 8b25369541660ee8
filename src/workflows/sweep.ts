/**
 * The locality-dial sweep: a localist model evaluated at each dial value λ, with the attention
 * entropy, pointer fidelity and certified fidelity of its rows (localist/inspect.ts) beside the
 * perplexity and accuracy of the sliding-window evaluation (train/evaluate.ts).
 */
import { createProgress, type ProgressStream } from "../io/progress.js";
import { createEvaluator, evaluateStream } from "../train/evaluate.js";
import { dialMatrix, type Schedule } from "../localist/dial.js";
import { anchorHook } from "../localist/anchors.js";
import { dialHook } from "../localist/hook.js";
import { measureAttention } from "../localist/inspect.js";
import { ruleHook } from "../localist/ruleHook.js";
import { sweepChart } from "../localist/sweepChart.js";
import type { RuleSet } from "../localist/rules.js";
import type { LocalistEntry } from "../localist/structure.js";
import type { LoadedModel } from "./savedModels.js";

/**
 * One dial value of a sweep: attention metrics over the measured rows and the language-model scores
 * over the evaluated windows.
 */
export interface SweepRow {
  /** λ, the dial value. */
  dial: number;
  /** Mean attention entropy per row, in bits. */
  entropy: number;
  /** Mean measured fidelity Σ_{j∈R} a_ij: the attention mass on the relevant keys. */
  fidelity: number;
  /**
   * Mean certified fidelity 1 − (the leak bound): what the bound guarantees, never above the
   * measured fidelity.
   */
  certifiedFidelity: number;
  /** Validation perplexity exp(mean cross-entropy in nats per token). */
  perplexity: number;
  /** Fraction of tokens whose most likely prediction is the next token. */
  accuracy: number;
  /** Rows whose measured leak exceeded the certified bound (always 0 unless something is wrong). */
  violations: number;
}

/** Settings of `sweepDial`: how much text to evaluate and measure at each dial value. */
export interface SweepOptions {
  /** Sliding windows evaluated per dial (perplexity, accuracy). */
  windows: number;
  /** Windows whose attention rows are measured per dial. */
  inspectWindows: number;
  /** How the dial is spread over layers (default uniform: λ in every layer). */
  schedule?: Schedule;
  /** Where progress goes (default stderr); null for none. */
  progress?: ProgressStream | null;
  /** Rules in place at every dial (their bias counts in the certified bound). */
  rules?: RuleSet;
}

/** Evaluates a localist model on `ids` at each dial value. */
export async function sweepDial(
  model: LoadedModel & { localist: LocalistEntry },
  ids: Int32Array,
  dials: readonly number[],
  options: SweepOptions,
): Promise<SweepRow[]> {
  const { config, params, localist } = model;
  const schedule = options.schedule ?? "uniform";
  let current = dialMatrix(0, schedule, config.layers, config.heads);
  const rules = options.rules ?? [];
  const anchors = model.anchors ? [anchorHook(model.anchors)] : [];
  // One compiled evaluator for every dial: the hook reads the current dial when it makes its inputs.
  const evaluator = createEvaluator(config, [
    dialHook(localist, config, { dial: () => current }),
    ...anchors,
    ...(rules.length > 0 ? [ruleHook(config, rules)] : []),
  ]);
  const progress =
    options.progress === null
      ? undefined
      : createProgress({ total: dials.length, label: "sweep", stream: options.progress });
  try {
    const rows: SweepRow[] = [];
    for (const [i, lambda] of dials.entries()) {
      current = dialMatrix(lambda, schedule, config.layers, config.heads);
      const quality = await evaluateStream(params, config, ids, {
        evaluator,
        maxWindows: options.windows,
      });
      const attention = measureAttention(params, config, localist, ids, current, {
        windows: options.inspectWindows,
        rules,
        sources: anchors,
      });
      progress?.update(i + 1, { λ: lambda, ppl: quality.perplexity.toFixed(1) });
      rows.push({
        dial: lambda,
        entropy: attention.overall.entropy,
        fidelity: attention.overall.fidelity,
        certifiedFidelity: attention.overall.certifiedFidelity,
        perplexity: quality.perplexity,
        accuracy: quality.accuracy,
        violations: attention.overall.violations,
      });
    }
    progress?.finish();
    return rows;
  } finally {
    evaluator.dispose();
  }
}

/** The sweep as a Markdown table. */
export function sweepTable(rows: readonly SweepRow[]): string {
  return [
    "| λ | entropy (bits) | pointer fidelity | certified fidelity | perplexity | accuracy |",
    "|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.dial.toFixed(2)} | ${r.entropy.toFixed(3)} | ${r.fidelity.toFixed(3)} | ${r.certifiedFidelity.toFixed(3)} | ${r.perplexity.toFixed(2)} | ${(100 * r.accuracy).toFixed(2)}% |`,
    ),
  ].join("\n");
}

/** The sweep's chart (src/localist/sweepChart.ts) as SVG. */
export function sweepPlot(rows: readonly SweepRow[], title: string): string {
  return sweepChart(rows, { title });
}
