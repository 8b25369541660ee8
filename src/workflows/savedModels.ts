/**
 * A saved language model with every checkpoint entry read by the layer that owns it: the
 * architecture and weights (io), the corpus (data), the training settings (train) and, for a
 * localist model, its blocks, routing and margin (localist). The attention hooks of the model at a
 * dial come from here, so evaluation, sampling, sweeps and explanations all see the same model.
 */
import { z } from "zod";
import { LocalistError } from "../engine/errors.js";
import { tree } from "../engine/engine.js";
import { parseWith } from "../engine/validate.js";
import { CORPUS_SCHEMA, encodeCorpus, type LmCorpusOptions } from "../data/lmCorpus.js";
import type { HookSource } from "../model/hooks.js";
import { loadModel, type SavedModel } from "../io/savedModel.js";
import { TRAIN_SETTINGS_SCHEMA, type TrainSettings } from "../train/settings.js";
import { dialHook, type DialSetting } from "../localist/hook.js";
import {
  LOCALIST_ENTRY_SCHEMA,
  localistEntryFor,
  type LocalistEntry,
} from "../localist/structure.js";

export interface LoadedModel extends SavedModel {
  dir: string;
  corpus: LmCorpusOptions;
  training: TrainSettings;
  /** Present for a localist model. */
  localist?: Readonly<LocalistEntry>;
}

/** The entries of config.json beside the architecture, each with its owner's schema. */
const ENTRIES_SCHEMA = z.object({
  corpus: CORPUS_SCHEMA,
  training: TRAIN_SETTINGS_SCHEMA,
  localist: LOCALIST_ENTRY_SCHEMA.optional(),
});

/** Opens the model in `dir`; one-line errors for anything missing, corrupt or mismatched. */
export function openModel(dir: string, options: { withOptimizer?: boolean } = {}): LoadedModel {
  const saved = loadModel(dir, options);
  try {
    const where = `${saved.folder}/config.json`;
    const { corpus, training, localist } = parseWith(ENTRIES_SCHEMA, saved.entries, where);
    let entry: Readonly<LocalistEntry> | undefined;
    if (localist) {
      try {
        entry = localistEntryFor(localist, saved.config);
      } catch (error) {
        throw new LocalistError(`${where}: localist: ${(error as Error).message}`);
      }
    }
    return { ...saved, dir, corpus, training, ...(entry ? { localist: entry } : {}) };
  } catch (error) {
    closeModel(saved);
    throw error;
  }
}

/** Frees a model's arrays. */
export function closeModel(model: SavedModel): void {
  tree.dispose(model.params);
  if (model.optimizer) tree.dispose(model.optimizer.slots);
}

export type LocalistModel = LoadedModel & { localist: LocalistEntry };

/** Throws, naming the folder, unless the model is localist (has blocks and a dial). */
export function requireLocalist(model: LoadedModel): asserts model is LocalistModel {
  if (!model.localist)
    throw new LocalistError(
      `${model.dir} was trained without blocks, so it has no dial; train a model with --localist`,
    );
}

/** The same, for a model that must be localist: an error naming the folder otherwise. */
export function openLocalistModel(dir: string): LocalistModel {
  const model = openModel(dir);
  try {
    requireLocalist(model);
  } catch (error) {
    closeModel(model);
    throw error;
  }
  return model;
}

/**
 * The attention hooks of a model at a dial: none for a plain model (a dial for one is an error),
 * the dial hook for a localist model (λ = 0 when no dial is given).
 */
export function modelHooks(model: LoadedModel, dial?: DialSetting): HookSource[] {
  if (dial === undefined && !model.localist) return [];
  requireLocalist(model);
  return [dialHook(model.localist, model.config, { dial })];
}

/** The model's corpus splits, encoded with its own tokenizer. */
export function modelSplits(model: LoadedModel): {
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
} {
  return encodeCorpus(model.corpus.corpus, model.tokenizer);
}
