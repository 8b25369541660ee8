/**
 * The localist model's own checkpoint entry (`localist` in config.json), kept apart from the
 * architecture: the semantic blocks g(·), the routing T_h, the dial's margin m, and how the dial
 * was trained (penalty weight γ, the dial or its range, the schedule). docs/math.md#the-locality-dial
 */
import { check, LocalistError } from "../engine/errors.js";
import type { ModelConfig } from "../model/config.js";
import type { Tokenizer } from "../data/tokenizer.js";
import { blockCount, blockNames, resolveBlocks, type BlockSpec } from "./blocks.js";
import { SCHEDULES, type DialValue, type Schedule } from "./dial.js";
import { defaultRouting, routingFromFile, type Routing } from "./routing.js";

/** Blocks, routing and margin: what the dial needs at evaluation time. */
export interface LocalistStructure {
  readonly blocks: BlockSpec;
  readonly routing: Routing;
  /** Margin m of the dial bias b = −m outside the relevant set. */
  readonly margin: number;
}

/** How the dial was used in training: the penalty weight, a fixed dial or a range, the schedule. */
export interface LocalistTraining {
  penalty: number;
  dial: DialValue | { range: [number, number] };
  schedule: Schedule;
}

/** The checkpoint entry: the structure, and the training settings when the model was trained with them. */
export interface LocalistEntry extends LocalistStructure {
  readonly training?: LocalistTraining;
}

/** Checks a structure against the model it belongs to; returns it frozen. */
export function validateLocalistStructure(
  structure: LocalistStructure,
  config: ModelConfig,
): Readonly<LocalistStructure> {
  const { blocks, routing, margin } = structure;
  check(Number.isFinite(margin) && margin > 0, `the dial margin m must be > 0, got ${margin}`);
  check(
    typeof blocks === "object" &&
      blocks !== null &&
      (blocks.kind === "tokens" || blocks.kind === "window"),
    "the blocks must be a token table or positional windows",
  );
  const g = blockCount(blocks, config.context);
  check(
    routing.heads === config.heads,
    `the routing has ${routing.heads} heads but the model has ${config.heads}`,
  );
  check(routing.blocks === g, `the routing covers ${routing.blocks} blocks but there are ${g}`);
  check(
    Array.isArray(routing.targets) && routing.targets.length === g * g * config.heads,
    "the routing table has the wrong size",
  );
  if (blocks.kind === "tokens") {
    check(
      blocks.tokenBlocks.length === config.vocabSize,
      `the block map covers ${blocks.tokenBlocks.length} tokens but the vocabulary has ${config.vocabSize}`,
    );
    check(
      blocks.tokenBlocks.every((b) => Number.isInteger(b) && b >= 0 && b < g),
      `every token's block must be an integer in [0, ${g - 1}]`,
    );
  }
  return Object.freeze({ blocks, routing, margin });
}

function validateTraining(training: LocalistTraining): LocalistTraining {
  check(
    Number.isFinite(training.penalty) && training.penalty >= 0,
    `the penalty weight γ must be ≥ 0, got ${training.penalty}`,
  );
  check(
    (SCHEDULES as readonly string[]).includes(training.schedule),
    `the schedule must be one of ${SCHEDULES.join(", ")}, got '${training.schedule}'`,
  );
  return { penalty: training.penalty, dial: training.dial, schedule: training.schedule };
}

/** The entry as read from a checkpoint, checked against the model; errors name `where`. */
export function parseLocalistEntry(
  value: unknown,
  config: ModelConfig,
  where: string,
): Readonly<LocalistEntry> {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new LocalistError(`${where}: the localist entry must be a JSON object`);
  const entry = value as LocalistEntry;
  try {
    const structure = validateLocalistStructure(entry, config);
    return entry.training === undefined
      ? structure
      : Object.freeze({ ...structure, training: validateTraining(entry.training) });
  } catch (error) {
    throw new LocalistError(`${where}: invalid localist entry: ${(error as Error).message}`);
  }
}

/** How to build a structure: a blocks spec (`pos`, `window:W` or a JSON file), an optional routing file, the margin. */
export interface StructureSpec {
  blocks: string;
  routing?: string;
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
