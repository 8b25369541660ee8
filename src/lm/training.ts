/**
 * Training a language model from a spec (./trainingSpec.ts, checked by its one validator): the
 * corpus and tokenizer, the architecture, the localist structure and anchors, the hooks of
 * ./hooks.ts, then the training loop of train/languageModel.ts; and resuming a saved run exactly
 * where it stopped. `LocalistModel.train` and `LocalistModel.resume` are the way in (Node only).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readMetricsLog } from "../io/metricsLog.js";
import { check, LocalistError } from "../engine/errors.js";
import { blocksOfFolder } from "../localist/occurrenceBlocks.js";
import { routingFromFile } from "../localist/routingFile.js";
import { openRunCorpus, savedRunCorpus, type RunCorpus } from "./runCorpus.js";
import {
  formatAttentionSpec,
  localHeadCount,
  validateModelConfig,
  type ModelConfig,
} from "../model/config.js";
import { estimateMemory, formatGiB, MEMORY_BUDGET_BYTES } from "../model/memory.js";
import { createFolder } from "../io/atomicWrite.js";
import { removeEmptyFolders } from "../io/outputPath.js";
import { cleanRunFolder, holdsCheckpoint } from "../io/checkpoint.js";
import { acquireLock } from "../io/lock.js";
import {
  saveInitialModel,
  trainLanguageModel,
  type TrainOptions,
  type TrainSummary,
} from "../train/languageModel.js";
import type { AnchorsEntry } from "../localist/anchors.js";
import {
  validateLocalistStructure,
  type LocalistEntry,
  type LocalistStructure,
} from "../localist/structure.js";
import { buildLocalistStructure } from "../localist/buildStructure.js";
import { contentAndFunction } from "../localist/recruitment.js";
import { defaultRouting } from "../localist/routing.js";
import type { Tokenizer } from "../data/tokenizer.js";
import { recruitmentAdapter } from "./recruit.js";
import { chooseAnchors } from "./anchors.js";
import { assembleHooks } from "./hooks.js";
import { closeModel, loadedModelFrom } from "./loadedModel.js";
import { loadModel } from "../io/savedModel.js";
import {
  SpecError,
  validateTrainingSpec,
  type BlocksPer,
  type TrainingSpec,
} from "./trainingSpec.js";

/** Attention weights of one step may use at most this many bytes (B·Hg·T²·4 for global heads). */
const ATTENTION_MEMORY_LIMIT = 2 * 2 ** 30;

/**
 * Training tokens anchors and recruitment read (a prefix): all of a corpus in memory, at most this
 * many of a prepared folder's (mutual-information scores read 200,000 positions; recruitment fewer).
 */
const SAMPLE_TOKENS = 1 << 22;

/** The data of train/languageModel.ts from a run's corpus. */
function runData(corpus: RunCorpus) {
  return {
    corpus: corpus.entry,
    tokenizer: corpus.tokenizer,
    train: corpus.train,
    valid: corpus.valid,
    ...(corpus.validBlocks ? { validBlocks: corpus.validBlocks } : {}),
  };
}

/** The structure of blocks from a prepared folder's blocks per occurrence (`localist.blocks` data). */
function folderStructure(
  corpus: RunCorpus,
  margin: number,
  config: ModelConfig,
  routingFile?: string,
  blocksPer?: BlocksPer,
) {
  if (!corpus.folder)
    throw new SpecError(
      "localist.blocks",
      "`localist.blocks` data takes the blocks of a prepared folder; give one with `data`",
    );
  const table = blocksOfFolder(corpus.folder);
  const blocks = blocksPer === "token" ? { ...table, perToken: true } : table;
  const routing =
    routingFile === undefined
      ? defaultRouting(blocks.names, config.heads, false)
      : routingFromFile(routingFile, blocks.names, config.heads);
  return { blocks, routing, margin };
}

/**
 * Blocks not taken from a prepared folder (pos, a block file) are a token table: on a folder that
 * carries blocks of its own, the folder's positions must not override the table, so it is marked
 * per token.
 */
function tableOnFolder(
  structure: Readonly<LocalistStructure>,
  corpus: RunCorpus,
): Readonly<LocalistStructure> {
  const { blocks } = structure;
  if (blocks.kind !== "tokens" || !corpus.folder?.blockNames) return structure;
  return { ...structure, blocks: { ...blocks, perToken: true } };
}

/** What happened before training started, for the caller to show. */
export type Announce = (line: string) => void;

function checkAttentionMemory(config: ModelConfig, batch: number): void {
  const globalHeads = config.heads - localHeadCount(config);
  const bytes = batch * globalHeads * config.context * config.context * 4;
  if (bytes > ATTENTION_MEMORY_LIMIT) {
    throw new SpecError(
      "model.context",
      `\`model.context\` ${config.context} with \`settings.batch\` ${batch} and ${globalHeads} global heads needs ${(bytes / 2 ** 30).toFixed(1)} GiB per attention map, over the ${ATTENTION_MEMORY_LIMIT / 2 ** 30} GiB limit; lower \`model.context\` or \`settings.batch\`, or use \`model.attention\` local:K`,
    );
  }
}

/** Refuses, before any work, a run whose step cannot fit the engine's memory. */
export function checkTrainingMemory(config: ModelConfig, batch: number): void {
  const need = estimateMemory(config, { batch, training: true });
  if (need.total > MEMORY_BUDGET_BYTES)
    throw new SpecError(
      "model",
      `training this model needs about ${formatGiB(need.total)} per step (parameters and optimizer ${formatGiB(need.parameters)}, activations ${formatGiB(need.activations)}, output layer ${formatGiB(need.output)}), more than the ${formatGiB(MEMORY_BUDGET_BYTES)} the engine can give; lower \`settings.batch\`, \`model.context\`, \`corpus.maxVocab\`, \`model.dModel\` or \`model.layers\``,
    );
}

/**
 * Trains a new model into `options.out`, which must not hold one already; with `initOnly`, writes
 * its initial checkpoint (step 0) and returns undefined.
 */
export function trainNewModel(
  spec: TrainingSpec,
  options: TrainOptions & { announce?: Announce; initOnly: true },
): Promise<undefined>;
export function trainNewModel(
  spec: TrainingSpec,
  options: TrainOptions & { announce?: Announce; initOnly?: false },
): Promise<TrainSummary>;
export async function trainNewModel(
  spec: TrainingSpec,
  options: TrainOptions & { announce?: Announce; initOnly?: boolean },
): Promise<TrainSummary | undefined> {
  const { out } = options;
  validateTrainingSpec(spec);
  if (holdsCheckpoint(out)) {
    throw new SpecError(
      "out",
      `${out} already holds a model; use \`resume\` to continue it, or choose another \`out\``,
    );
  }
  const created = createFolder(out, "output folder"); // before the corpus loads: a bad `out` fails at once
  try {
    return await startNewModel(spec, options);
  } catch (error) {
    removeEmptyFolders(created); // a refused run leaves no empty folder behind
    throw error;
  }
}

async function startNewModel(
  spec: TrainingSpec,
  options: TrainOptions & { announce?: Announce; initOnly?: boolean },
): Promise<TrainSummary | undefined> {
  const { out } = options;
  const corpus = openRunCorpus(spec.corpus, spec.data);
  const config = validateModelConfig({ ...spec.model, vocabSize: corpus.tokenizer.vocabSize });
  // What anchors and recruitment read: the training ids in memory, or a prefix of a folder's.
  const sample = { train: corpus.trainPrefix(SAMPLE_TOKENS), tokenizer: corpus.tokenizer };
  let localist: LocalistEntry | undefined;
  if (spec.localist) {
    const { training, recruit, blocksPer, ...structure } = spec.localist;
    const built =
      structure.blocks === "data"
        ? validateLocalistStructure(
            folderStructure(corpus, structure.margin, config, structure.routing, blocksPer),
            config,
          )
        : tableOnFolder(buildLocalistStructure(structure, corpus.tokenizer, config), corpus);
    localist = { ...built, training };
    if (recruit) localist = recruitmentStart(localist, config, recruit);
  }
  let anchors: AnchorsEntry | undefined;
  if (spec.anchors) {
    anchors = chooseAnchors(spec.anchors.kind, spec.anchors.count, sample, {
      window: config.context,
      seed: spec.settings.seed,
      structure: localist,
    });
  }
  checkAttentionMemory(config, spec.settings.batch);
  checkTrainingMemory(config, spec.settings.batch);
  const source = corpus.entry.corpus;
  if (corpus.trainLength <= config.context)
    throw new SpecError(
      "model.context",
      `the training split of ${source} has ${corpus.trainLength} tokens, fewer than \`model.context\` + 1 = ${config.context + 1}; use a smaller \`model.context\` or a larger corpus`,
    );
  options.announce?.(
    `training ${config.layers}×${config.dModel} (${formatAttentionSpec(config.attention)}, ${config.positional} positions) on ${source}: ` +
      `${corpus.trainLength} tokens, vocabulary ${corpus.tokenizer.vocabSize}`,
  );
  const run = {
    config,
    settings: spec.settings,
    data: runData(corpus),
    ...runHooks(config, spec.settings.seed, localist, anchors),
    ...recruiting(config, spec.settings.seed, sample, localist, anchors),
  };
  if (options.initOnly) {
    saveInitialModel(run, out);
    return undefined;
  }
  return trainLanguageModel(run, options);
}

/** Whether the run's metrics log holds the validation record of its last step. */
function hasValidationRecord(out: string, steps: number): boolean {
  const log = join(out, "metrics.jsonl");
  if (!existsSync(log)) return false;
  try {
    return readMetricsLog(log).some((r) => r.split === "valid" && r.step === steps);
  } catch {
    return false;
  }
}

/** The entry a recruiting run starts from: part-of-speech blocks merged into content and function. */
function recruitmentStart(
  entry: LocalistEntry,
  config: ModelConfig,
  recruit: { every: number; maxBlocks: number },
): LocalistEntry {
  const { blocks } = entry;
  check(
    blocks.kind === "tokens",
    "`localist.recruit` splits token blocks; use `localist.blocks` pos or a block file",
  );
  const start = blocks.source === "pos" ? contentAndFunction(blocks) : blocks;
  const routing =
    start === blocks ? entry.routing : defaultRouting(start.names, config.heads, false);
  const structure = validateLocalistStructure(
    { blocks: start, routing, margin: entry.margin },
    config,
  );
  return {
    ...structure,
    ...(entry.training ? { training: entry.training } : {}),
    recruitment: { ...recruit, start: [...start.names], checkedAt: 0, events: [] },
  };
}

/** The recruitment adaptation of a run whose localist entry recruits. */
function recruiting(
  config: ModelConfig,
  seed: number,
  data: { train: Int32Array; tokenizer: Tokenizer },
  localist?: LocalistEntry,
  anchors?: AnchorsEntry,
) {
  if (!localist?.recruitment) return {};
  return {
    adapt: recruitmentAdapter(localist, config, data, (entry) =>
      runHooks(config, seed, entry, anchors),
    ),
  };
}

/**
 * The hooks and checkpoint entries of a run: training draws the dial of a localist model with its
 * penalty (./hooks.ts); the final validation reads the model as it is, with its anchors.
 */
function runHooks(
  config: ModelConfig,
  seed: number,
  localist?: LocalistEntry,
  anchors?: AnchorsEntry,
) {
  const parts = { config, localist, anchors };
  return {
    hooks: assembleHooks(parts, { training: { seed } }),
    evalHooks: assembleHooks(parts, { dial: null }),
    entries: { ...(localist ? { localist } : {}), ...(anchors ? { anchors } : {}) },
  };
}

/** Continues the run saved in `out` with its saved settings, exactly where it stopped. */
export async function resumeTraining(
  options: TrainOptions & { announce?: Announce },
): Promise<TrainSummary> {
  const { out } = options;
  // Killed before its first checkpoint: there is nothing to continue, only a run to start again.
  if (existsSync(out) && !holdsCheckpoint(out))
    throw new LocalistError(
      `${out} holds no checkpoint yet (the run was stopped before its first one); start it again with the same settings, without resuming`,
    );
  const saved = loadedModelFrom(loadModel(out, { withOptimizer: true }), out);
  if (saved.step >= saved.training.steps) {
    closeModel(saved);
    // A run killed between its last pointer switch and the clean-up leaves the previous
    // checkpoint folder behind; tidy it (under the lock, as every writer does) before saying so.
    const lock = acquireLock(out);
    try {
      cleanRunFolder(out);
    } finally {
      lock.release();
    }
    throw new LocalistError(
      `the run in ${out} already finished its ${saved.training.steps} steps; nothing to resume` +
        (hasValidationRecord(out, saved.training.steps)
          ? ""
          : "; its metrics log has no validation record for the last step: if the final validation was interrupted, evaluate the model to get it"),
    );
  }
  try {
    checkTrainingMemory(saved.config, saved.training.batch);
  } catch (error) {
    closeModel(saved);
    throw error;
  }
  let corpus: RunCorpus;
  try {
    corpus = savedRunCorpus(saved.corpus, saved.tokenizer);
  } catch (error) {
    closeModel(saved);
    throw error;
  }
  options.announce?.(`resuming ${out} at step ${saved.step} of ${saved.training.steps}`);
  return trainLanguageModel(
    {
      config: saved.config,
      settings: saved.training,
      data: runData(corpus),
      ...runHooks(saved.config, saved.training.seed, saved.localist, saved.anchors),
      ...recruiting(
        saved.config,
        saved.training.seed,
        { train: corpus.trainPrefix(SAMPLE_TOKENS), tokenizer: saved.tokenizer },
        saved.localist,
        saved.anchors,
      ),
      resume: {
        params: saved.params,
        optimizer: saved.optimizer as NonNullable<typeof saved.optimizer>,
        step: saved.step,
      },
    },
    options,
  );
}
