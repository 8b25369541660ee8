/**
 * The model object's file-system services for Node (./nodeServices.ts): model folders, runs,
 * corpora and rules files. Importing this module installs them; the package entry and the command
 * line do, so `LocalistModel.open`, `train`, `resume`, `save`, `split` and `readRules` work there.
 */
import { loadModel, saveModel } from "../io/savedModel.js";
import { readRules } from "../localist/rulesFile.js";
import { installNodeServices } from "./nodeServices.js";
import { resumeTraining, trainNewModel } from "./training.js";
import { savedSplits } from "./runCorpus.js";
import { occurrenceLabeller } from "../data/tokenBlocks.js";

installNodeServices({
  load: loadModel,
  save: saveModel,
  splits: savedSplits,
  readRules,
  occurrenceLabeller,
  train: (spec, options) => trainNewModel(spec, { ...options, initOnly: false }),
  initialize: async (spec, options) => {
    await trainNewModel(spec, { ...options, initOnly: true });
  },
  resume: resumeTraining,
});

export {
  LocalistModel,
  type Split,
  type RunSettings,
  type EvaluateOptions,
  type GenerateOptions,
  type ExplainSettings,
} from "./localistModel.js";
