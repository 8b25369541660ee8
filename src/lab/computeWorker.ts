/**
 * The Lab's compute worker: the engine, the model and every computation of the page run here, off
 * the page's thread, so a slider move never blocks input (the page only draws the answers). It
 * keeps an explain session per text window (lm/explainSession.ts): moving one head's dial re-runs
 * only the layers from that head's layer. For a model whose blocks come from the tagger it loads
 * the tagger on first use (a separate chunk, imported here only), so typed text gets each word's
 * block in its own sentence, as `localist explain` does with typed text.
 */
import { blockNames } from "../localist/blocks.js";
import type { RuleSet } from "../localist/rules.js";
import type { ExplainSession } from "../lm/explainSession.js";
import type { BlockLabeller, LocalistModel } from "../lm/localistModel.js";
import {
  analyse,
  nextTokens,
  parseRulesText,
  textWindow,
  type Analysis,
  type TextWindow,
} from "./analysis.js";
import { brownSample } from "./brownSample.js";
import { startEngine } from "./engine.js";
import { modelFromBytes } from "./openModel.js";
import type {
  AnalysisView,
  AnswerMessage,
  HeadView,
  ModelInfo,
  RequestKind,
  RequestMessage,
  Requests,
  TrainingChoice,
} from "./protocol.js";
import { sweepChartInTurns } from "./sweepChart.js";
import { trainInPage, type TrainingSource } from "./training.js";
import { lossSvg, trainingSweepSvg } from "./trainingCharts.js";

interface WorkerScope {
  onmessage: ((event: MessageEvent<RequestMessage>) => void) | null;
  postMessage(message: AnswerMessage, transfer?: Transferable[]): void;
}
const scope = globalThis as unknown as WorkerScope;

let model: LocalistModel | undefined;
let modelName = "";
let rules: RuleSet = [];
/** Bumped whenever the rules change, so that a session made with old rules is not reused. */
let rulesVersion = 0;
let session: { key: string; window: TextWindow; session: ExplainSession } | undefined;
let last: Analysis | undefined;
/** How the blocks of typed text are found, for the current model (see `labellerFor`). */
let blocksFrom = "";
let labeller: BlockLabeller | undefined;
/** Sweeps asked for so far: a sweep still running when a newer one is asked for stops. */
let sweeps = 0;

function requireModel(): LocalistModel {
  if (!model) throw new Error("no model is open yet");
  return model;
}

/** An example rule for the editor, naming one of the model's own blocks. */
function exampleRule(names: readonly string[]): string {
  const block = names.find((name) => name === "noun") ?? names[0];
  return JSON.stringify(
    {
      rules: [
        {
          id: `attend-to-${block}`,
          query: { all: true },
          key: { block },
          alpha: 0.01,
          minFidelity: 0.5,
        },
      ],
    },
    null,
    2,
  );
}

function describeModel(next: LocalistModel, name: string): ModelInfo {
  const { config } = next;
  const names = blockNames(next.requireLocalist().blocks, config.context);
  return {
    name,
    layers: config.layers,
    heads: config.heads,
    dModel: config.dModel,
    context: config.context,
    vocabSize: config.vocabSize,
    margin: next.requireLocalist().margin,
    blocks: [...names],
    exampleRule: exampleRule(names),
  };
}

function closeSession(): void {
  session?.session.dispose();
  session = undefined;
  last = undefined;
}

/**
 * The labeller of typed text for the model, imported on first use, for a model whose blocks are
 * per occurrence: the tagger, or the lexicon stored with the model (matched on the tagger's
 * words); none for other models (each token has its own block). If it cannot load, the page says
 * so and each token keeps its own block.
 */
async function labellerFor(next: LocalistModel): Promise<void> {
  const blocks = next.requireLocalist().blocks;
  labeller = undefined;
  const lexicon = blocks.kind === "tokens" && blocks.source.startsWith("lexicon:");
  const labelled =
    blocks.kind === "tokens" &&
    !blocks.perToken &&
    (blocks.source === "tagger" || (lexicon && blocks.lexicon !== undefined));
  if (!labelled) {
    blocksFrom =
      blocks.kind === "window"
        ? `positional: blocks of ${blocks.width} positions`
        : "each word's own block (the model's blocks are per word, not labelled in their sentence)";
    return;
  }
  try {
    const { occurrenceLabeller } = await import("../data/tokenBlocks.js");
    labeller = occurrenceLabeller;
    blocksFrom = lexicon
      ? "the model's lexicon: its phrases where they occur, other words by its fallback"
      : "the tagger: each word's class in its own sentence";
  } catch (error) {
    blocksFrom = `each word's own block (the labeller did not load: ${(error as Error).message.split("\n")[0]})`;
  }
}

async function useModel(next: LocalistModel, name: string): Promise<ModelInfo> {
  closeSession();
  model?.dispose();
  model = next;
  modelName = name;
  rules = [];
  rulesVersion++;
  await labellerFor(next);
  return describeModel(next, modelName);
}

/** The session for this text and window with the current rules: kept while they stay the same. */
function sessionFor(
  current: LocalistModel,
  text: string,
  start: number,
): { window: TextWindow; session: ExplainSession } {
  const key = JSON.stringify([text, start, rulesVersion]);
  if (session?.key === key) return session;
  closeSession();
  const window = textWindow(current, text, start, labeller);
  session = { key, window, session: current.explainSession(window, { rules }) };
  return session;
}

/** The analysis as the page draws it; the weights are copies, as float32, to be transferred. */
function view(analysis: Analysis, position: number, began: number): AnalysisView {
  const current = requireModel();
  const { explanation, window } = analysis;
  const heads: HeadView[] = explanation.heads.map((head) => ({
    layer: head.layer,
    head: head.head,
    description: head.description,
    dial: head.dial,
    entropy: head.entropy,
    fidelity: head.fidelity,
    certifiedFidelity: head.certifiedFidelity,
    threshold: head.threshold,
    rows: {
      entropy: Float64Array.from(head.rows, (row) => row.metrics?.entropy ?? NaN),
      fidelity: Float64Array.from(head.rows, (row) => row.metrics?.fidelity ?? NaN),
      leakBound: Float64Array.from(head.rows, (row) => row.metrics?.leakBound ?? NaN),
      threshold: Float64Array.from(head.rows, (row) => row.threshold ?? NaN),
    },
    weights: Float32Array.from(head.weights),
  }));
  return {
    window: { total: window.total, start: window.start, length: window.ids.length },
    tokens: explanation.tokens,
    blocksFrom: window.blocks
      ? blocksFrom
      : blocksFrom.replace(/^the tagger.*/, "each word's own block"),
    heads,
    overall: analysis.overall,
    ...(analysis.compliance ? { compliance: analysis.compliance } : {}),
    next: nextTokens(current, analysis, position),
    position,
    layersRun: analysis.layersRun,
    computeMs: performance.now() - began,
  };
}

function trainingSource(choice: TrainingChoice): { source: TrainingSource; sample: string } {
  if (choice.kind === "text") return { source: choice, sample: choice.text };
  const documents = brownSample();
  const sample = documents[0].sentences
    .slice(0, 4)
    .flatMap((s) => s.map((t) => t.word))
    .join(" ");
  return { source: { kind: "brown", documents }, sample };
}

type Handlers = {
  [K in RequestKind]: (
    ask: Requests[K]["ask"],
  ) => Promise<Requests[K]["answer"]> | Requests[K]["answer"];
};

const handlers: Handlers = {
  start: ({ engine }) => startEngine(engine),
  open: ({ files, name }) => useModel(modelFromBytes(files, name), name),
  rules: ({ text }) => {
    const parsed = parseRulesText(requireModel(), text);
    if (parsed.error !== undefined) return { error: parsed.error };
    rules = parsed.rules;
    rulesVersion++;
    return {};
  },
  analyse: ({ text, start, dial, position }) => {
    const began = performance.now();
    const current = requireModel();
    const { window, session: explainer } = sessionFor(current, text, start);
    last = analyse(current, explainer, window, dial, rules);
    const at = Math.min(position, window.ids.length - 1);
    return view(last, at, began);
  },
  next: ({ position }) => {
    if (!last) throw new Error("nothing has been analysed yet");
    return nextTokens(requireModel(), last, Math.min(position, last.window.ids.length - 1));
  },
  sweep: async ({ text, start, schedule }) => {
    const current = requireModel();
    const mine = ++sweeps;
    const version = rulesVersion;
    const svg = await sweepChartInTurns(
      current,
      textWindow(current, text, start, labeller),
      { dials: Array.from({ length: 11 }, (_, i) => i / 10), schedule, rules, title: "this text" },
      // Other requests are answered between the passes; a newer sweep, another model or new
      // rules make this one stale, and it stops.
      async () => {
        await new Promise((resolve) => setTimeout(resolve, 0));
        return mine === sweeps && model === current && version === rulesVersion;
      },
    );
    return svg ?? null;
  },
  train: async ({ source: choice, steps }) => {
    const { source, sample } = trainingSource(choice);
    const trained = await trainInPage(source, {
      steps,
      onChunk: async (step, losses, current) => {
        scope.postMessage({
          progress: {
            step,
            steps,
            firstLoss: losses[0],
            lastLoss: losses[losses.length - 1],
            lossSvg: lossSvg(losses),
            sweepSvg: trainingSweepSvg(current, sample, step),
          },
        });
        // Let the page's other requests (a slider moved while training) in between chunks.
        await new Promise((resolve) => setTimeout(resolve, 0));
      },
    });
    return useModel(trained, "trained in the page");
  },
};

scope.onmessage = (event) => {
  const { id, kind, ask } = event.data;
  const handle = handlers[kind] as (ask: unknown) => unknown;
  Promise.resolve()
    .then(() => handle(ask))
    .then(
      (answer) => {
        const transfer =
          kind === "analyse"
            ? (answer as AnalysisView).heads.flatMap((h) => [
                h.weights.buffer,
                ...Object.values(h.rows).map((values: Float64Array) => values.buffer),
              ])
            : [];
        scope.postMessage({ id, answer }, transfer);
      },
      (error: unknown) => {
        const text = error instanceof Error ? error.message : String(error);
        scope.postMessage({ id, error: text.split("\n")[0] });
      },
    );
};
