/**
 * Flags shared by the commands that touch the locality dial, and their translation into the
 * model's localist structure and training settings (validated once, here).
 */
import { LocalistError } from "../engine/errors.js";
import type { Tokenizer } from "../data/tokenizer.js";
import { blockNames, resolveBlocks } from "../localist/blocks.js";
import { dialMatrix, parseDial, SCHEDULES, type Schedule } from "../localist/dial.js";
import { defaultRouting, routingFromFile } from "../localist/routing.js";
import type { LocalistStructure, ModelConfig } from "../model/config.js";
import type { LocalistTraining } from "../io/savedModel.js";
import { UsageError, type FlagSpec, type FlagValues } from "./flags.js";

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
    default: "pos",
    help: "pos (Brown part-of-speech classes), window:W, or a JSON token→block file",
  },
  {
    name: "routing",
    kind: "string",
    value: "FILE",
    help: "JSON routing of query blocks to target blocks per head",
  },
  { name: "penalty", kind: "number", default: 0.1, help: "group-sparsity penalty weight γ" },
  {
    name: "margin",
    kind: "number",
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
];

const LOCALIST_ONLY = ["blocks", "routing", "penalty", "margin", "dial", "dial-range", "schedule"];

function parseDialFlag(text: string): ReturnType<typeof parseDial> {
  try {
    return parseDial(text);
  } catch (error) {
    throw new UsageError(`--dial: ${(error as Error).message}`);
  }
}

/** The localist structure and training settings from flags, or undefined without --localist. */
export function localistFromFlags(
  flags: FlagValues,
  args: string[],
  tokenizer: Tokenizer,
  heads: number,
  context: number,
): { structure: LocalistStructure; training: LocalistTraining } | undefined {
  if (!flags.localist) {
    const given = LOCALIST_ONLY.filter((name) =>
      args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)),
    );
    if (given.length > 0) throw new UsageError(`--${given[0]} needs --localist`);
    return undefined;
  }
  const vocabulary = tokenizer.toJSON().tokens;
  const blocks = resolveBlocks(flags.blocks as string, tokenizer, vocabulary);
  const names = blockNames(blocks, context);
  const routing =
    flags.routing === undefined
      ? defaultRouting(names, heads, blocks.kind === "window")
      : routingFromFile(flags.routing as string, names, heads);
  const margin = flags.margin as number;
  if (!(margin > 0)) throw new UsageError(`--margin must be > 0, got ${margin}`);
  const penalty = flags.penalty as number;
  if (!(penalty >= 0)) throw new UsageError(`--penalty must be ≥ 0, got ${penalty}`);
  let dial: LocalistTraining["dial"];
  if (flags.dial !== undefined && flags["dial-range"] !== undefined) {
    throw new UsageError("give either --dial or --dial-range, not both");
  }
  if (flags.dial !== undefined) dial = parseDialFlag(flags.dial as string);
  else {
    const range = String(flags["dial-range"] ?? "0,1")
      .split(",")
      .map((part) => Number(part));
    if (
      range.length !== 2 ||
      !range.every((v) => Number.isFinite(v) && v >= 0 && v <= 1) ||
      range[0] > range[1]
    ) {
      throw new UsageError(
        `--dial-range must be a,b with 0 ≤ a ≤ b ≤ 1, got '${String(flags["dial-range"])}'`,
      );
    }
    dial = { range: [range[0], range[1]] };
  }
  return {
    structure: { blocks, routing, margin },
    training: { penalty, dial, schedule: flags.schedule as Schedule },
  };
}

/** The (L, H) dial for `--dial`/`--schedule` on a trained model; an error for a plain model. */
export function dialFromFlags(
  flags: FlagValues,
  config: ModelConfig,
  model: string,
): number[][] | undefined {
  if (flags.dial === undefined) return undefined;
  if (!config.localist) {
    throw new LocalistError(
      `${model} was trained without blocks, so it has no dial; train a model with --localist`,
    );
  }
  return dialMatrix(
    parseDialFlag(flags.dial as string),
    (flags.schedule as Schedule) ?? "uniform",
    config.layers,
    config.heads,
  );
}
