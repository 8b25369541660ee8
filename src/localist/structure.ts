/**
 * The localist model's own checkpoint entry (`localist` in config.json), kept apart from the
 * architecture: the semantic blocks g(·), the routing T_h, the dial's margin m, and how the dial
 * was trained (penalty weight γ, the dial or its range, the schedule). docs/math.md#the-locality-dial
 */
import { z } from "zod";
import { check } from "../engine/errors.js";
import type { ModelConfig } from "../model/config.js";
import { blockCount, type BlockSpec } from "./blocks.js";
import { SCHEDULES, type DialValue, type Schedule } from "./dial.js";
import type { Routing } from "./routing.js";
import type { Recruitment } from "./recruitment.js";

/** Blocks, routing and margin: what the dial needs at evaluation time. */
export interface LocalistStructure {
  /** Which block each token (or position) belongs to. */
  readonly blocks: BlockSpec;
  /** The target blocks of each head's queries. */
  readonly routing: Routing;
  /** Margin m of the dial bias b = −m outside the relevant set. */
  readonly margin: number;
}

/** How the dial was used in training: the penalty weight, a fixed dial or a range, the schedule. */
export interface LocalistTraining {
  /** γ, the weight of the group-sparsity penalty in the loss. */
  penalty: number;
  /** The dial during training: fixed, or drawn uniformly from a range at every step. */
  dial: DialValue | { range: [number, number] };
  /** How the dial is spread over layers. */
  schedule: Schedule;
}

/** Recruitment during training (./recruitment.ts): its settings and every split so far. */
export interface RecruitmentLog {
  /** Steps between checks, and the most blocks allowed. */
  every: number;
  /** The most blocks recruitment may reach. */
  maxBlocks: number;
  /** The blocks it started from. */
  start: string[];
  /** The last step checked (a resumed run does not check it again). */
  checkedAt: number;
  /** Every split so far, in order. */
  events: Recruitment[];
}

/** The checkpoint entry: the structure, and the training settings when the model was trained with them. */
export interface LocalistEntry extends LocalistStructure {
  /** How the dial was trained (absent for a structure added after training). */
  readonly training?: LocalistTraining;
  /** Recruitment's settings and splits, for a model trained with it. */
  readonly recruitment?: RecruitmentLog;
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

const unit = z.number().min(0).max(1);

/** The `localist` entry as stored in a checkpoint: types and ranges (cross-checks: below). */
export const LOCALIST_ENTRY_SCHEMA = z.object({
  blocks: z.discriminatedUnion("kind", [
    z.object({
      kind: z.literal("tokens"),
      source: z.string(),
      names: z.array(z.string()).min(2),
      tokenBlocks: z.array(z.number().int().min(0)),
      perToken: z.boolean().optional(),
      lexicon: z
        .object({
          fallback: z.enum(["tagger", "other"]),
          phrases: z.record(z.string(), z.array(z.string())),
        })
        .optional(),
    }),
    z.object({ kind: z.literal("window"), width: z.number().int().min(1) }),
  ]),
  routing: z.object({
    heads: z.number().int().min(1),
    blocks: z.number().int().min(1),
    targets: z.array(z.union([z.literal(0), z.literal(1)])),
  }),
  margin: z.number().positive(),
  training: z
    .object({
      penalty: z.number().min(0),
      dial: z.union([
        unit,
        z.array(unit),
        z.array(z.array(unit)),
        z.object({ range: z.tuple([unit, unit]) }),
      ]),
      schedule: z.enum(SCHEDULES),
    })
    .optional(),
  recruitment: z
    .object({
      every: z.number().int().min(1),
      maxBlocks: z.number().int().min(2),
      start: z.array(z.string()).min(1),
      checkedAt: z.number().int().min(0),
      events: z.array(
        z.object({
          step: z.number().int().min(0),
          block: z.string(),
          into: z.tuple([z.string(), z.string()]),
          sizes: z.tuple([z.number().int().min(0), z.number().int().min(0)]),
          gainBits: z.number(),
          costBits: z.number(),
          examples: z.tuple([z.array(z.string()), z.array(z.string())]),
        }),
      ),
    })
    .optional(),
});

/** The entry as read from a checkpoint (already checked by LOCALIST_ENTRY_SCHEMA), checked against the model. */
export function localistEntryFor(
  entry: z.infer<typeof LOCALIST_ENTRY_SCHEMA>,
  config: ModelConfig,
): Readonly<LocalistEntry> {
  const structure = validateLocalistStructure(entry, config);
  return Object.freeze({
    ...structure,
    ...(entry.training === undefined ? {} : { training: entry.training }),
    ...(entry.recruitment === undefined ? {} : { recruitment: entry.recruitment }),
  });
}
