/**
 * What a new language model is trained from, and the one validator every caller goes through (the
 * command line, the Lab, the library's `LocalistModel.train`). Problems are named by field, in
 * backquotes (`model.context`, `anchors.count`): the command line maps those names to its flags,
 * the page to its own labels.
 */
import { LocalistError } from "../engine/errors.js";
import type { LmCorpusOptions } from "../data/corpusEntry.js";
import { validateModelConfig, type ModelConfig } from "../model/config.js";
import { parseWith } from "../engine/validate.js";
import { TRAIN_SETTINGS_SCHEMA, type TrainSettings } from "../train/settings.js";
import type { StructureSpec } from "../localist/buildStructure.js";
import type { LocalistTraining } from "../localist/structure.js";

/** How anchors are chosen (docs/math.md#anchors): mutual information, the first positions, random frequent tokens. */
export const ANCHOR_KINDS = ["mutual-information", "sinks", "random"] as const;
/** One of {@link ANCHOR_KINDS}. */
export type AnchorKind = (typeof ANCHOR_KINDS)[number];

/**
 * How a model trained on a prepared folder with blocks reads them: each position its own block
 * (`occurrence`: the word's tag in its sentence) or each token its most frequent block (`token`).
 */
export const BLOCKS_PER = ["occurrence", "token"] as const;
/** One of {@link BLOCKS_PER}. */
export type BlocksPer = (typeof BLOCKS_PER)[number];

/** Everything a new model is trained from. */
export interface TrainingSpec {
  /** The corpus read into memory and tokenized (ignored when `data` is given). */
  corpus: LmCorpusOptions;
  /**
   * A prepared token folder (`localist prepare`) to train on instead: its tokenizer, its splits
   * read by window, and with `localist.blocks` "data" its blocks per token occurrence.
   */
  data?: string;
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
    /**
     * With `data` and `blocks` "data": `occurrence` (the default) gives every position its own
     * block, `token` every token its most frequent block in the training split, in training and
     * after. Blocks not from the data are per token whatever this says.
     */
    blocksPer?: BlocksPer;
  };
  /** Anchors of a local or hybrid model: K tokens (or positions) visible beyond the window. */
  anchors?: { kind: AnchorKind; count: number };
}

/** A problem with one field of a spec; `field` is its dotted name, e.g. `model.context`. */
export class SpecError extends LocalistError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

function fail(field: string, why: string): never {
  throw new SpecError(field, why);
}

/**
 * Checks a spec before any work (the corpus, whose vocabulary size is the one thing not known yet,
 * is read after): the architecture, the settings, the localist structure and the anchors. Returns
 * the spec; throws a {@link SpecError} naming the first field in the way.
 */
export function validateTrainingSpec(spec: TrainingSpec): TrainingSpec {
  try {
    validateModelConfig({ ...spec.model, vocabSize: 2 });
  } catch (error) {
    fail("model", (error as Error).message);
  }
  try {
    parseWith(TRAIN_SETTINGS_SCHEMA, spec.settings, "settings");
  } catch (error) {
    fail("settings", (error as Error).message);
  }
  const { localist, anchors } = spec;
  if (localist) {
    const { blocks, recruit } = localist;
    if (blocks === "data" && spec.data === undefined)
      fail(
        "localist.blocks",
        "`localist.blocks` data takes the blocks of a prepared folder; give one with `data`",
      );
    const { blocksPer } = localist;
    if (blocksPer !== undefined && !(BLOCKS_PER as readonly string[]).includes(blocksPer))
      fail(
        "localist.blocksPer",
        `\`localist.blocksPer\` must be one of ${BLOCKS_PER.join(", ")}, got '${String(blocksPer)}'`,
      );
    if (blocksPer !== undefined && blocks !== "data")
      fail(
        "localist.blocksPer",
        "`localist.blocksPer` chooses how a prepared folder's blocks are read; use it with `localist.blocks` data",
      );
    if (recruit && blocks === "data" && blocksPer !== "token")
      fail(
        "localist.recruit",
        "`localist.recruit` splits each token's block, so it cannot split a prepared folder's blocks per occurrence; add `localist.blocksPer` token",
      );
    if (blocks.startsWith("window:") && !/^window:[1-9]\d*$/.test(blocks))
      fail(
        "localist.blocks",
        `\`localist.blocks\` window:W needs a positive integer W, got '${blocks}'`,
      );
    if (recruit && blocks.startsWith("window:"))
      fail(
        "localist.recruit",
        "`localist.recruit` splits token blocks; use `localist.blocks` pos or a block file",
      );
    if (recruit && localist.routing !== undefined && blocks === "pos")
      fail(
        "localist.routing",
        "`localist.recruit` starts pos blocks merged into content and function, so a `localist.routing` file cannot name them; drop it",
      );
    if (!(localist.margin > 0))
      fail("localist.margin", `\`localist.margin\` must be > 0, got ${localist.margin}`);
  }
  if (anchors) {
    if (!Number.isInteger(anchors.count) || anchors.count < 1)
      fail("anchors.count", `\`anchors.count\` must be a positive integer, got ${anchors.count}`);
    if (!(ANCHOR_KINDS as readonly string[]).includes(anchors.kind))
      fail("anchors.kind", `\`anchors.kind\` must be one of ${ANCHOR_KINDS.join(", ")}`);
    if (spec.model.attention.kind === "global")
      fail(
        "anchors",
        "`anchors` makes keys visible beyond a local window; use `model.attention` local:W or hybrid:W",
      );
  }
  return spec;
}
