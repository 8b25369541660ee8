/**
 * Flags shared by the commands that touch the locality dial, and their translation into the
 * library's dial, structure and training settings.
 */
import { parseDecimal } from "../engine/numbers.js";
import {
  dialMatrix,
  parseDial,
  parseDialList,
  SCHEDULES,
  type Schedule,
} from "../localist/dial.js";
import type { LocalistTraining } from "../localist/structure.js";
import type { StructureSpec } from "../localist/buildStructure.js";
import type { LocalistModel } from "../lm/localistModel.js";
import { BLOCKS_PER, type BlocksPer } from "../lm/trainingSpec.js";
import {
  asUsageError,
  NON_NEGATIVE,
  POSITIVE_INTEGER,
  UsageError,
  type FlagSpec,
  type ParsedFlags,
} from "./flags.js";

export const SCHEDULE_FLAG: FlagSpec = {
  name: "schedule",
  kind: "string",
  choices: SCHEDULES,
  default: "uniform",
  value: "KIND",
  help: "per-layer dial schedule λ_ℓ = λ·(ℓ/(L−1))^β",
};

export const DIAL_FLAG: FlagSpec = {
  name: "dial",
  kind: "string",
  value: "λ",
  help: "locality dial in [0, 1]: one value, one per layer (a,b), or per head (a,b;c,d)",
};

export const LOCALIST_TRAIN_FLAGS: FlagSpec[] = [
  {
    name: "localist",
    kind: "boolean",
    help: "train a localist model (semantic blocks, dial, group-sparsity penalty)",
  },
  {
    name: "blocks",
    kind: "string",
    value: "SPEC",
    help: "pos (Brown part-of-speech classes; the default), data (the blocks per occurrence of a --data folder; the default with --data), window:W, or a JSON token→block file",
  },
  {
    name: "blocks-per",
    kind: "string",
    choices: BLOCKS_PER,
    value: "occurrence|token",
    help: "with --blocks data: each position its own block (occurrence, the default), or each token its most frequent block in the training split (token)",
  },
  {
    name: "routing",
    kind: "string",
    value: "FILE",
    help: "JSON routing of query blocks to target blocks per head",
  },
  {
    name: "penalty",
    kind: "number",
    constraint: NON_NEGATIVE,
    default: 0.1,
    help: "group-sparsity penalty weight γ",
  },
  {
    name: "margin",
    kind: "number",
    // e^(−1000) is 0 in any float: a larger margin only risks infinities in float32 logits.
    constraint: { ok: (m) => m > 0 && m <= 1000, expected: "in (0, 1000]" },
    default: 8,
    help: "dial margin m (bias −m off the relevant set at λ = 1)",
  },
  { ...DIAL_FLAG, help: "train at a fixed dial (default: --dial-range 0,1)" },
  {
    name: "dial-range",
    kind: "string",
    value: "a,b",
    help: "sample the dial uniformly in [a, b] per batch",
  },
  SCHEDULE_FLAG,
  {
    name: "recruit",
    kind: "boolean",
    help: "start from few blocks (pos: content and function) and split them while a split pays",
  },
  {
    name: "recruit-every",
    kind: "integer",
    constraint: POSITIVE_INTEGER,
    default: 50,
    help: "steps between recruitment checks",
  },
  {
    name: "max-blocks",
    kind: "integer",
    constraint: { ok: (v) => v >= 2 && v <= 64, expected: "in [2, 64]" },
    default: 16,
    help: "the most blocks recruitment may reach",
  },
];

const LOCALIST_ONLY = [
  "blocks",
  "blocks-per",
  "routing",
  "penalty",
  "margin",
  "dial",
  "dial-range",
  "schedule",
  "recruit",
  "recruit-every",
  "max-blocks",
];

/** The localist part of a new model from `train`'s flags, or undefined without --localist. */
export function localistFromFlags({ flags, given }: ParsedFlags):
  | (StructureSpec & {
      training: LocalistTraining;
      recruit?: { every: number; maxBlocks: number };
      blocksPer?: BlocksPer;
    })
  | undefined {
  if (!flags.localist) {
    const stray = LOCALIST_ONLY.find((name) => given.has(name));
    if (stray) throw new UsageError(`--${stray} needs --localist`);
    return undefined;
  }
  if (flags.dial !== undefined && flags["dial-range"] !== undefined)
    throw new UsageError("give either --dial or --dial-range, not both");
  let dial: LocalistTraining["dial"];
  if (flags.dial !== undefined) dial = dialValue(flags.dial as string);
  else {
    const text = String(flags["dial-range"] ?? "0,1");
    const range = text.split(",").map((part) => parseDecimal(part.trim()));
    if (
      range.length !== 2 ||
      !range.every((v) => Number.isFinite(v) && v >= 0 && v <= 1) ||
      range[0] > range[1]
    )
      throw new UsageError(`--dial-range must be a,b with 0 ≤ a ≤ b ≤ 1, got '${text}'`);
    dial = { range: [range[0], range[1]] };
  }
  const blocks =
    (flags.blocks as string | undefined) ?? (flags.data !== undefined ? "data" : "pos");
  // The structure's own rules (window:W, recruitment over token blocks) are checked by the
  // library's validator of the whole spec (src/lm/trainingSpec.ts); only flag pairings here.
  const recruitOnly = ["recruit-every", "max-blocks"].find((name) => given.has(name));
  if (!flags.recruit && recruitOnly) throw new UsageError(`--${recruitOnly} needs --recruit`);
  return {
    blocks,
    ...(flags.routing === undefined ? {} : { routing: flags.routing as string }),
    ...(flags["blocks-per"] === undefined ? {} : { blocksPer: flags["blocks-per"] as BlocksPer }),
    margin: flags.margin as number,
    training: { penalty: flags.penalty as number, dial, schedule: flags.schedule as Schedule },
    ...(flags.recruit
      ? {
          recruit: {
            every: flags["recruit-every"] as number,
            maxBlocks: flags["max-blocks"] as number,
          },
        }
      : {}),
  };
}

function dialValue(text: string): ReturnType<typeof parseDial> {
  try {
    return parseDial(text);
  } catch (error) {
    throw new UsageError(`--dial: ${(error as Error).message}`);
  }
}

/** The dial values of `--dials` for a sweep. */
export function dialListFromFlag(text: string): number[] {
  try {
    return parseDialList(text);
  } catch (error) {
    throw new UsageError(`--dials: ${(error as Error).message}`);
  }
}

/** The (L, H) dial of `--dial` and `--schedule` for a loaded model; undefined without --dial. */
export function dialFromFlags(
  flags: ParsedFlags["flags"],
  model: LocalistModel,
): number[][] | undefined {
  if (flags.dial === undefined) return undefined;
  const value = dialValue(flags.dial as string);
  model.requireLocalist();
  const { layers, heads } = model.config;
  return asUsageError(() =>
    dialMatrix(value, (flags.schedule as Schedule) ?? "uniform", layers, heads),
  );
}
