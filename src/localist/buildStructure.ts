/** Building a new model's localist structure from flags (Node only: blocks and routing may come from files). */
import type { ModelConfig } from "../model/config.js";
import type { Tokenizer } from "../data/tokenizer.js";
import { blockNames } from "./blocks.js";
import { resolveBlocks } from "./blockSources.js";
import { defaultRouting } from "./routing.js";
import { routingFromFile } from "./routingFile.js";
import { validateLocalistStructure, type LocalistStructure } from "./structure.js";

/** How to build a structure: a blocks spec (`pos`, `window:W` or a JSON file), an optional routing file, the margin. */
export interface StructureSpec {
  /**
   * The block source: "pos" (part-of-speech blocks), "window:W" (positional windows), or a blocks
   * file.
   */
  blocks: string;
  /** A routing file (default: `defaultRouting`). */
  routing?: string;
  /** m > 0: the dial λ biases the logits of keys outside the relevant set by −λm. */
  margin: number;
}

/** Builds and validates the structure of a new localist model over `tokenizer`'s vocabulary. */
export function buildLocalistStructure(
  spec: StructureSpec,
  tokenizer: Tokenizer,
  config: ModelConfig,
): Readonly<LocalistStructure> {
  const blocks = resolveBlocks(spec.blocks, tokenizer, tokenizer.toJSON().tokens);
  const names = blockNames(blocks, config.context);
  const routing =
    spec.routing === undefined
      ? defaultRouting(names, config.heads, blocks.kind === "window")
      : routingFromFile(spec.routing, names, config.heads);
  return validateLocalistStructure({ blocks, routing, margin: spec.margin }, config);
}
