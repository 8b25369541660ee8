/**
 * A saved language model with every checkpoint entry read by the layer that owns it: the
 * architecture and weights (io), the corpus (data), the training settings (train) and, for a
 * localist model, its blocks, routing and margin (localist). `LocalistModel` (./localistModel.ts)
 * is built on it. Browser-safe.
 */
import { z } from "zod";
import { LocalistError } from "../engine/errors.js";
import { tree } from "../engine/engine.js";
import { parseWith } from "../engine/validate.js";
import { CORPUS_SCHEMA, type LmCorpusOptions } from "../data/corpusEntry.js";
import type { SavedModel } from "../io/modelFiles.js";
import { TRAIN_SETTINGS_SCHEMA, type TrainSettings } from "../train/settings.js";
import { ANCHORS_ENTRY_SCHEMA, validateAnchors, type AnchorsEntry } from "../localist/anchors.js";
import {
  LOCALIST_ENTRY_SCHEMA,
  localistEntryFor,
  type LocalistEntry,
} from "../localist/structure.js";

/**
 * A saved model read with every entry of its config.json checked: the architecture, tokenizer and
 * weights, the corpus it was trained on, its training settings, and its localist structure and
 * anchors when it has them.
 */
export interface LoadedModel extends SavedModel {
  /** The folder it was opened from. */
  dir: string;
  /** How its corpus was built (so its validation and test splits can be rebuilt). */
  corpus: LmCorpusOptions;
  /** The settings it was trained with. */
  training: TrainSettings;
  /** Present for a localist model. */
  localist?: Readonly<LocalistEntry>;
  /** Present for a model trained with anchors. */
  anchors?: Readonly<AnchorsEntry>;
}

/** The entries of config.json beside the architecture, each with its owner's schema. */
const ENTRIES_SCHEMA = z.object({
  corpus: CORPUS_SCHEMA,
  training: TRAIN_SETTINGS_SCHEMA,
  localist: LOCALIST_ENTRY_SCHEMA.optional(),
  anchors: ANCHORS_ENTRY_SCHEMA.optional(),
});

/**
 * The model read from `dir` (its name in errors) with its entries checked by their owners; one-line
 * errors for anything corrupt or mismatched. Takes ownership of `saved` (freed on error).
 */
export function loadedModelFrom(saved: SavedModel, dir: string): LoadedModel {
  try {
    const where = `${saved.folder}/config.json`;
    const { corpus, training, localist, anchors } = parseWith(ENTRIES_SCHEMA, saved.entries, where);
    let entry: Readonly<LocalistEntry> | undefined;
    if (localist) {
      try {
        entry = localistEntryFor(localist, saved.config);
      } catch (error) {
        throw new LocalistError(`${where}: localist: ${(error as Error).message}`);
      }
    }
    let anchorEntry: Readonly<AnchorsEntry> | undefined;
    if (anchors) {
      try {
        anchorEntry = validateAnchors(anchors, saved.config.vocabSize);
      } catch (error) {
        throw new LocalistError(`${where}: anchors: ${(error as Error).message}`);
      }
    }
    return {
      ...saved,
      dir,
      corpus,
      training,
      ...(entry ? { localist: entry } : {}),
      ...(anchorEntry ? { anchors: anchorEntry } : {}),
    };
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
