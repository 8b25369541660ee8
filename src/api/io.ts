/**
 * Files: a trained model saved to and loaded from a folder (its config, tokenizer and weights as
 * safetensors), and bags of samples read from CSV files.
 *
 * @module localist/io
 */
import "../engine/threads.js"; // first, before jax-js loads: the compute threads for Node
import "../kernels/kdTreeThreads.js";

export { saveModel, loadModel, type SavedModel } from "../io/savedModel.js";
export { readBagFiles, readBagsFile, type BagsFile } from "../io/bags.js";
// Prepared token folders: written by streaming a corpus once, read by window.
export {
  prepareCorpus,
  type PrepareOptions,
  type PrepareResult,
  type PrepareBlocks,
} from "../io/prepareCorpus.js";
export {
  TokenFolder,
  SPLITS,
  type TokenSource,
  type TokenWindow,
  type TokenManifest,
  type SplitName,
} from "../io/tokenFiles.js";

// The options and results the functions above take and return.
export type { StoredOptimizer } from "../io/modelFiles.js";

// The options and results the functions above take and return.
export type { ProgressStream } from "../io/progress.js";
