/** Opening a saved model folder on disk (./loadedModel.ts holds the browser-safe part). */
import { encodeCorpus } from "../data/lmCorpus.js";
import { loadModel } from "../io/savedModel.js";
import {
  closeModel,
  loadedModelFrom,
  requireLocalist,
  type LoadedModel,
  type LocalistModel,
} from "./loadedModel.js";

export * from "./loadedModel.js";

/** Opens the model in `dir`; one-line errors for anything missing, corrupt or mismatched. */
export function openModel(dir: string, options: { withOptimizer?: boolean } = {}): LoadedModel {
  return loadedModelFrom(loadModel(dir, options), dir);
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

/** The model's corpus splits, encoded with its own tokenizer. */
export function modelSplits(model: LoadedModel): {
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
} {
  return encodeCorpus(model.corpus.corpus, model.tokenizer);
}
