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

/** Settings of `LocalistModel.sweep`: how much text to evaluate and measure at each dial value. */
export interface SweepOptions {
  /** Sliding windows evaluated per dial (perplexity, accuracy). */
  windows: number;
  /** Windows per evaluation batch (default 16; lower it for a large model). */
  batch?: number;
  /** Windows whose attention rows are measured per dial. */
  inspectWindows: number;
  /** How the dial is spread over layers (default uniform: λ in every layer). */
  schedule?: Schedule;
  /** Where progress goes (default stderr); null for none. */
  progress?: ProgressStream | null;
  /** Rules in place at every dial (their bias counts in the certified bound). */
  rules?: RuleSet;
  /** The block of every id (blocks per occurrence, e.g. a prepared split's); default per token. */
  blocks?: Uint8Array;
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
