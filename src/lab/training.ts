/**
 * Training a small localist model in the page, with the library's one training loop
 * (train/loop.ts) and the same step as `localist train` (train/lmGradients.ts): the dial drawn
 * from [0, 1] each step with the group-sparsity penalty, as the demo trains. The loop runs in
 * chunks of steps so that the page can draw the loss curve and the sweep between them.
 */
import { tree } from "../engine/engine.js";
import { LocalistError } from "../engine/errors.js";
import type { BrownDocument } from "../data/brownTags.js";
import { WordTokenizer } from "../data/tokenizer.js";
import { tokenizeText } from "../data/words.js";
import { validateModelConfig } from "../model/config.js";
import { initParams, type ParamMap } from "../model/params.js";
import { blockNames, type BlockSpec } from "../localist/blocks.js";
import { posBlocksFrom } from "../localist/posBlocks.js";
import { defaultRouting } from "../localist/routing.js";
import { validateLocalistStructure, type LocalistTraining } from "../localist/structure.js";
import { runTrainingLoop } from "../train/loop.js";
import { lmGradients } from "../train/lmGradients.js";
import { disposeOptimizerState, type OptimizerState } from "../train/optimizer.js";
import { runOptimizer, type TrainSettings } from "../train/settings.js";
import { assembleHooks } from "../lm/hooks.js";
import { LocalistModel } from "../lm/localistModel.js";
import { validateTrainingSpec } from "../lm/trainingSpec.js";

export type TrainingSource =
  { kind: "brown"; documents: BrownDocument[] } | { kind: "text"; text: string };

export interface PageTraining {
  steps: number;
  /** After each chunk: the steps done, the losses so far, and the model as it is now (borrowed). */
  onChunk(step: number, losses: number[], model: LocalistModel): Promise<void>;
}

/** The architecture trained in the page: small enough for a few hundred steps in seconds. */
const SHAPE = { layers: 2, heads: 2, dModel: 32, dMlp: 128, context: 32 } as const;
const CHUNK = 10;

/** Trains a new localist model on the source; the caller owns (and closes) the model returned. */
export async function trainInPage(
  source: TrainingSource,
  options: PageTraining,
): Promise<LocalistModel> {
  const sentences =
    source.kind === "brown"
      ? source.documents.flatMap((d) => d.sentences.map((s) => s.map((token) => token.word)))
      : tokenizeText(source.text);
  const corpus = {
    corpus: source.kind === "brown" ? "the Lab's Brown sample" : "text pasted in the Lab",
    tokenizer: "word" as const,
    maxVocab: 1000,
    minCount: 1,
    lowercase: true,
  };
  const tokenizer = WordTokenizer.fromSentences(sentences, corpus);
  const ids = tokenizer.encodeSentences(sentences);
  if (ids.length <= SHAPE.context + 1)
    throw new LocalistError(
      `the training text has ${ids.length} tokens; give more than ${SHAPE.context + 1} (a few sentences)`,
    );
  const localistTraining: LocalistTraining = {
    penalty: 0.1,
    dial: { range: [0, 1] },
    schedule: "uniform",
  };
  const settings: TrainSettings = {
    steps: options.steps,
    batch: 16,
    learningRate: 3e-3,
    warmup: Math.min(30, Math.floor(options.steps / 10)),
    seed: 1,
    weightDecay: 0.1,
    clipNorm: 1,
    checkpointEvery: options.steps,
  };
  const architecture = {
    ...SHAPE,
    attention: { kind: "global" as const },
    positional: "rotary" as const,
    strict: false,
  };
  // The same validator as \`localist train\` and LocalistModel.train; the blocks are built here,
  // from the sample's tags or the pasted text's positions, instead of from a blocks file.
  validateTrainingSpec({
    corpus,
    model: architecture,
    settings,
    localist: {
      blocks: source.kind === "brown" ? "pos" : "window:4",
      margin: 8,
      training: localistTraining,
    },
  });
  const config = validateModelConfig({ ...architecture, vocabSize: tokenizer.vocabSize });
  // Part-of-speech blocks from the sample's tags; a pasted text has no tags, so positional blocks.
  const blocks: BlockSpec =
    source.kind === "brown"
      ? posBlocksFrom(source.documents, tokenizer)
      : { kind: "window", width: 4 };
  const structure = validateLocalistStructure(
    {
      blocks,
      routing: defaultRouting(
        blockNames(blocks, config.context),
        config.heads,
        blocks.kind === "window",
      ),
      margin: 8,
    },
    config,
  );
  const localist = { ...structure, training: localistTraining };
  const hooks = assembleHooks({ config, localist }, { training: { seed: settings.seed } });
  const optimizer = runOptimizer(settings);
  const step = lmGradients(config, settings, ids, hooks);
  // Whoever holds the arrays disposes them: the loop while it runs (also when it throws), else us.
  let params: ParamMap | undefined = initParams(config, settings.seed);
  let state: OptimizerState | undefined;
  const losses: number[] = [];
  const model = (weights: ParamMap): LocalistModel =>
    LocalistModel.fromParts({
      config,
      tokenizer,
      params: weights,
      step: losses.length,
      entries: {},
      dir: corpus.corpus,
      corpus,
      training: settings,
      localist,
    });
  try {
    for (let start = 0; start < settings.steps; start += CHUNK) {
      const owned: ParamMap = params as ParamMap;
      const resumed = state;
      params = undefined;
      state = undefined;
      const result = await runTrainingLoop({
        params: owned,
        optimizer,
        state: resumed,
        start,
        steps: Math.min(settings.steps, start + CHUNK),
        unitsPerStep: settings.batch * config.context,
        gradients: step.gradients,
        onStep: (record) => void losses.push(record.loss),
      });
      params = result.params;
      state = result.state;
      await options.onChunk(losses.length, losses, model(params));
    }
    const trained = model(params as ParamMap);
    params = undefined;
    return trained;
  } finally {
    if (params) tree.dispose(params);
    if (state) disposeOptimizerState(state);
    step.dispose();
    optimizer.dispose();
  }
}
