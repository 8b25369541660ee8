/**
 * Training a language model from a description (the command line's flags, the demo's preset):
 * the corpus and tokenizer, the architecture, the localist structure and its dial hook, then the
 * training loop of train/languageModel.ts; and resuming a saved run exactly where it stopped.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { readMetricsLog } from "../io/metricsLog.js";
import { check, LocalistError } from "../engine/errors.js";
import { loadLmCorpus, type LmCorpusOptions } from "../data/lmCorpus.js";
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
import type { TrainSettings } from "../train/settings.js";
import { anchorHook, type AnchorsEntry } from "../localist/anchors.js";
import { dialHook, trainingDial } from "../localist/hook.js";
import {
  validateLocalistStructure,
  type LocalistEntry,
  type LocalistTraining,
} from "../localist/structure.js";
import { buildLocalistStructure, type StructureSpec } from "../localist/buildStructure.js";
import { contentAndFunction } from "../localist/recruitment.js";
import { defaultRouting } from "../localist/routing.js";
import type { Tokenizer } from "../data/tokenizer.js";
import { recruitmentAdapter } from "./recruit.js";
import { chooseAnchors, type AnchorKind } from "./anchors.js";
import { closeModel, modelSplits, openModel } from "./savedModels.js";

/** Attention weights of one step may use at most this many bytes (B·Hg·T²·4 for global heads). */
const ATTENTION_MEMORY_LIMIT = 2 * 2 ** 30;

export interface NewModel {
  corpus: LmCorpusOptions;
  /** The architecture; the vocabulary size comes from the tokenizer. */
  model: Omit<ModelConfig, "vocabSize">;
  settings: TrainSettings;
  /**
   * A localist model: how to build its blocks and routing, and how to train its dial; with
   * `recruit`, blocks are split during training (part-of-speech blocks start merged into two).
   */
  localist?: StructureSpec & {
    training: LocalistTraining;
    recruit?: { every: number; maxBlocks: number };
  };
  /** Anchors of a local or hybrid model: K tokens (or positions) visible beyond the window. */
  anchors?: { kind: AnchorKind; count: number };
}

/** What happened before training started, for the caller to show. */
export type Announce = (line: string) => void;

function checkAttentionMemory(config: ModelConfig, batch: number): void {
  const globalHeads = config.heads - localHeadCount(config);
  const bytes = batch * globalHeads * config.context * config.context * 4;
  if (bytes > ATTENTION_MEMORY_LIMIT) {
    throw new LocalistError(
      `--context ${config.context} with --batch ${batch} and ${globalHeads} global heads needs ${(bytes / 2 ** 30).toFixed(1)} GiB per attention map, over the ${ATTENTION_MEMORY_LIMIT / 2 ** 30} GiB limit; lower --context or --batch, or use --attention local:K`,
    );
  }
}

/** Refuses, before any work, a run whose step cannot fit the engine's memory. */
export function checkTrainingMemory(config: ModelConfig, batch: number): void {
  const need = estimateMemory(config, { batch, training: true });
  if (need.total > MEMORY_BUDGET_BYTES)
    throw new LocalistError(
      `training this model needs about ${formatGiB(need.total)} per step (parameters and optimizer ${formatGiB(need.parameters)}, activations ${formatGiB(need.activations)}, output layer ${formatGiB(need.output)}), more than the ${formatGiB(MEMORY_BUDGET_BYTES)} the engine can give; lower --batch, --context, --vocab, --d-model or --layers`,
    );
}

/**
 * Trains a new model into `options.out`, which must not hold one already; with `initOnly`, writes
 * its initial checkpoint (step 0) and returns undefined.
 */
export function trainNewModel(
  spec: NewModel,
  options: TrainOptions & { announce?: Announce; initOnly: true },
): Promise<undefined>;
export function trainNewModel(
  spec: NewModel,
  options: TrainOptions & { announce?: Announce; initOnly?: false },
): Promise<TrainSummary>;
export async function trainNewModel(
  spec: NewModel,
  options: TrainOptions & { announce?: Announce; initOnly?: boolean },
): Promise<TrainSummary | undefined> {
  const { out } = options;
  if (holdsCheckpoint(out)) {
    throw new LocalistError(
      `${out} already holds a model; use --resume to continue it, or choose another --out`,
    );
  }
  const created = createFolder(out, "output folder"); // before the corpus loads: a bad --out fails at once
  try {
    return await startNewModel(spec, options);
  } catch (error) {
    removeEmptyFolders(created); // a refused run leaves no empty folder behind
    throw error;
  }
}

async function startNewModel(
  spec: NewModel,
  options: TrainOptions & { announce?: Announce; initOnly?: boolean },
): Promise<TrainSummary | undefined> {
  const { out } = options;
  const corpus = loadLmCorpus(spec.corpus);
  const config = validateModelConfig({ ...spec.model, vocabSize: corpus.tokenizer.vocabSize });
  let localist: LocalistEntry | undefined;
  if (spec.localist) {
    const { training, recruit, ...structure } = spec.localist;
    localist = { ...buildLocalistStructure(structure, corpus.tokenizer, config), training };
    if (recruit) localist = recruitmentStart(localist, config, recruit);
  }
  let anchors: AnchorsEntry | undefined;
  if (spec.anchors) {
    check(
      config.attention.kind !== "global",
      "anchors are keys visible beyond a local window; use --attention local:W or hybrid:W",
    );
    anchors = chooseAnchors(spec.anchors.kind, spec.anchors.count, corpus, {
      window: config.context,
      seed: spec.settings.seed,
      structure: localist,
    });
  }
  checkAttentionMemory(config, spec.settings.batch);
  checkTrainingMemory(config, spec.settings.batch);
  check(
    corpus.train.length > config.context,
    `the training split of ${spec.corpus.corpus} has ${corpus.train.length} tokens, fewer than --context + 1 = ${config.context + 1}; use a smaller --context or a larger corpus`,
  );
  options.announce?.(
    `training ${config.layers}×${config.dModel} (${formatAttentionSpec(config.attention)}, ${config.positional} positions) on ${spec.corpus.corpus}: ` +
      `${corpus.train.length} tokens, vocabulary ${corpus.tokenizer.vocabSize}`,
  );
  const run = {
    config,
    settings: spec.settings,
    data: { ...corpus, corpus: spec.corpus },
    ...runHooks(config, spec.settings.seed, localist, anchors),
    ...recruiting(config, spec.settings.seed, corpus, localist, anchors),
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
    "--recruit splits token blocks; use --blocks pos or a block file",
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

/** The hooks and checkpoint entries of a run: the dial of a localist model, its anchors. */
function runHooks(
  config: ModelConfig,
  seed: number,
  localist?: LocalistEntry,
  anchors?: AnchorsEntry,
) {
  const anchorHooks = anchors ? [anchorHook(anchors)] : [];
  const dialHooks = localist
    ? [
        dialHook(localist, config, {
          dial: trainingDial(localist.training, config, seed),
          penalty: localist.training?.penalty ?? 0,
        }),
      ]
    : [];
  return {
    hooks: [...dialHooks, ...anchorHooks],
    evalHooks: anchorHooks,
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
  const saved = openModel(out, { withOptimizer: true });
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
  const splits = modelSplits(saved);
  options.announce?.(`resuming ${out} at step ${saved.step} of ${saved.training.steps}`);
  return trainLanguageModel(
    {
      config: saved.config,
      settings: saved.training,
      data: { corpus: saved.corpus, tokenizer: saved.tokenizer, ...splits },
      ...runHooks(saved.config, saved.training.seed, saved.localist, saved.anchors),
      ...recruiting(
        saved.config,
        saved.training.seed,
        { train: splits.train, tokenizer: saved.tokenizer },
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
