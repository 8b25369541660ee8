/**
 * The locality-dial sweep's rows and how they are shown: a localist model evaluated at each dial
 * value λ (`LocalistModel.sweep`), with the attention entropy, pointer fidelity and certified
 * fidelity of its rows (localist/inspect.ts) beside the perplexity and accuracy of the
 * sliding-window evaluation (train/evaluate.ts).
 */
import type { ProgressStream } from "../io/progress.js";
import type { Schedule } from "../localist/dial.js";
import { sweepChart } from "../localist/sweepChart.js";
import type { RuleSet } from "../localist/rules.js";

export interface SweepRow {
  dial: number;
  entropy: number;
  fidelity: number;
  certifiedFidelity: number;
  perplexity: number;
  accuracy: number;
  /** Rows whose measured leak exceeded the certified bound (always 0 unless something is wrong). */
  violations: number;
}

export interface SweepOptions {
  /** Sliding windows evaluated per dial (perplexity, accuracy). */
  windows: number;
  /** Windows whose attention rows are measured per dial. */
  inspectWindows: number;
  schedule?: Schedule;
  /** Where progress goes (default stderr); null for none. */
  progress?: ProgressStream | null;
  /** Rules in place at every dial (their bias counts in the certified bound). */
  rules?: RuleSet;
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
