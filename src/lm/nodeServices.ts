/**
 * What the model object needs from the file system: opening and saving model folders, training
 * into a run folder, reading a corpus and a rules file. `LocalistModel` itself is browser-safe (the
 * Lab runs it in the page); these services are Node's, installed by ./node.ts, which every Node
 * entry point (the package, the command line) imports. In the page they are absent and the model
 * object says so in one line.
 */
import { LocalistError } from "../engine/errors.js";
import type { LmCorpusOptions } from "../data/corpusEntry.js";
import type { occurrenceLabeller } from "../data/tokenBlocks.js";
import type { AnyTokenizer } from "../data/tokenizer.js";
import type { ModelConfig } from "../model/config.js";
import type { SavedModel } from "../io/modelFiles.js";
import type { TrainOptions, TrainSummary } from "../train/languageModel.js";
import type { RuleSet } from "../localist/rules.js";
import type { SelectorContext } from "../localist/selectors.js";
import type { TrainingSpec } from "./trainingSpec.js";

/** Where a training run writes and what it reports: train/languageModel.ts's options and a line printer. */
export type RunOptions = TrainOptions & {
  /** Lines to show before training starts (what is trained, on what). */
  announce?: (line: string) => void;
};

/** A saved model's splits as ids in memory, with their blocks per occurrence when it has them. */
export type SavedSplits = Record<"train" | "valid" | "test", Int32Array> & {
  blocks?: Record<"train" | "valid" | "test", Uint8Array>;
};

/**
 * Makes the labeller of a model's blocks per occurrence (data/tokenBlocks.ts's
 * `occurrenceLabeller`): installed on Node; the Lab's worker passes the one it imports on demand.
 */
export type BlockLabeller = typeof occurrenceLabeller;

/** The file-system half of the model object. */
export interface NodeServices {
  load(dir: string, options: { withOptimizer?: boolean }): SavedModel;
  save(dir: string, model: SavedModel): void;
  splits(corpus: LmCorpusOptions, tokenizer: AnyTokenizer): SavedSplits;
  readRules(path: string, config: ModelConfig, context: SelectorContext): RuleSet;
  /**
   * The labeller of a model's blocks per occurrence (the tagger, or a lexicon stored with the
   * model) over its tokenizer; undefined for blocks new text cannot be labelled with. On Node
   * only, so the page does not bundle the tagger.
   */
  occurrenceLabeller: BlockLabeller;
  train(spec: TrainingSpec, options: RunOptions): Promise<TrainSummary>;
  initialize(spec: TrainingSpec, options: RunOptions): Promise<void>;
  resume(options: RunOptions): Promise<TrainSummary>;
}

let services: NodeServices | undefined;

/** Installs the file-system services (./node.ts does, on import). */
export function installNodeServices(installed: NodeServices): void {
  services = installed;
}

/** Whether the file-system services are installed (on Node). */
export function hasNodeServices(): boolean {
  return services !== undefined;
}

/** The installed services, or a one-line error naming what needed them. */
export function nodeServices(what: string): NodeServices {
  if (!services)
    throw new LocalistError(
      `${what} needs the file system: use the package's Node entry (import from "localist"); in a page, open a model with LocalistModel.fromFiles`,
    );
  return services;
}
