/**
 * What the page and its compute worker (./computeWorker.ts) say to each other. The worker owns the
 * engine and the model and does every computation; the page holds only the DOM and what it draws.
 * Everything here is plain data, copied by `postMessage` (weights are transferred, not copied).
 */
import type { ComplianceReport } from "../localist/compliance.js";
import type { ExplainedHead } from "../localist/explain.js";
import type { MetricSummary } from "../localist/metrics.js";
import type { Schedule } from "../localist/dial.js";
import type { CheckpointBytes } from "../io/checkpointFiles.js";
import type { NextToken } from "../lm/explainSession.js";

export type { NextToken };

/** The model in use, as the page describes it. */
export interface ModelInfo {
  /** What the page calls it ("served model", a dropped folder's name, "trained in the page"). */
  name: string;
  layers: number;
  heads: number;
  dModel: number;
  context: number;
  vocabSize: number;
  margin: number;
  /** The block names, in block-id order. */
  blocks: string[];
  /** An example rule for the editor, naming one of the model's own blocks. */
  exampleRule: string;
}

/**
 * The rows of a head, as the tooltip shows them: one entry per query position in each array
 * (NaN where the row sees no key, or, for fidelity, leak bound and threshold, has no relevant
 * key). Typed arrays, transferred: thousands of row objects would cost the page's thread more to
 * receive than to draw.
 */
export interface RowsView {
  entropy: Float64Array;
  fidelity: Float64Array;
  leakBound: Float64Array;
  threshold: Float64Array;
}

/**
 * One head of an analysis as the worker sends it: `explain`'s head, its rows as typed arrays and
 * its (T·T) weights in float32, for the heatmap.
 */
export interface HeadView extends Omit<ExplainedHead, "rows" | "weights"> {
  rows: RowsView;
  weights: Float32Array;
}

/** Everything the page draws for one text, window, dial and rules. */
export interface AnalysisView {
  /** Tokens in the whole text, the window's first token, and the context. */
  window: { total: number; start: number; length: number };
  tokens: { token: string; block: string }[];
  /** Where the blocks of the tokens came from, in words (the tagger, or each token's own block). */
  blocksFrom: string;
  heads: HeadView[];
  /** Means over every row of every head, as `localist sweep` aggregates them. */
  overall: MetricSummary;
  compliance?: ComplianceReport;
  /** The next-token distribution after `position`. */
  next: NextToken[];
  position: number;
  /** Layers the worker ran for this analysis (fewer than all when one head's dial moved). */
  layersRun: number;
  /** The worker's time for it, in ms. */
  computeMs: number;
}

/** The requests the page makes, by kind, with their answers. */
export interface Requests {
  /** Starts the engine; `engine: "wasm"` forces Wasm. Answers the engine in words. */
  start: { ask: { engine?: string }; answer: string };
  /** Opens a checkpoint from its files' bytes. */
  open: { ask: { files: CheckpointBytes; name: string }; answer: ModelInfo };
  /** Rules from the editor's text: kept when good, else the one-line problem (old rules stay). */
  rules: { ask: { text: string }; answer: { error?: string } };
  /** Analyses the window of `text` from token `start` at the (L, H) dial. */
  analyse: {
    ask: { text: string; start: number; dial: number[][]; position: number };
    answer: AnalysisView;
  };
  /** The next-token distribution after `position` of the last analysis (no new pass). */
  next: { ask: { position: number }; answer: NextToken[] };
  /**
   * The sweep chart (SVG) of the dial over [0, 1] on the window, one pass at a time with other
   * requests answered between passes; null when it was abandoned (a newer sweep was asked for, or
   * the model or the rules changed meanwhile).
   */
  sweep: { ask: { text: string; start: number; schedule: Schedule }; answer: string | null };
  /** Trains a small model in the worker (progress as `TrainProgress` events), then uses it. */
  train: { ask: { source: TrainingChoice; steps: number }; answer: ModelInfo };
}

export type RequestKind = keyof Requests;

/** A request as posted: an id to answer by, its kind and its arguments. */
export interface RequestMessage<K extends RequestKind = RequestKind> {
  id: number;
  kind: K;
  ask: Requests[K]["ask"];
}

/** An answer, or the one-line error of the request `id`. */
export type AnswerMessage =
  { id: number; answer: unknown } | { id: number; error: string } | { progress: TrainProgress };

/** What to train on: the bundled Brown sample (part-of-speech blocks) or the given text. */
export type TrainingChoice = { kind: "brown" } | { kind: "text"; text: string };

/** After each chunk of training steps. */
export interface TrainProgress {
  step: number;
  steps: number;
  firstLoss: number;
  lastLoss: number;
  lossSvg: string;
  sweepSvg: string;
}
