/**
 * The flags of `localist distreg` as data, and their reading into experiment settings: every list
 * and bound is checked here, before any bag is drawn, and a mistake is a one-line UsageError.
 */
import { MAX_LOGDET_DIM, TASK_NAMES } from "../data/distributions/tasks.js";
import { SET_POOLINGS, type SetPooling } from "../model/setConfig.js";
import { DEFAULT_SET_TRAINING } from "../train/setModel.js";
import { FieldError } from "../distreg/fieldError.js";
import { checkAttentionSize, checkPoolSize } from "../distreg/limits.js";
import { MODEL_NAMES, type ModelName, type NeuralSettings } from "../distreg/models.js";
import { LocalistError } from "../engine/errors.js";
import {
  MIXTURE_FUNCTIONALS,
  PEFT_METHODS,
  type PeftMethod,
} from "../../experiments/distreg/peft.js";
import { THREADS_FLAG } from "./command.js";
import { between, UsageError, type FlagSpec, type FlagValues } from "./flags.js";

export const EXPERIMENTS = ["curves", "complexity", "peft", "scaling"] as const;
export type Experiment = (typeof EXPERIMENTS)[number];

/** Bounds of the list flags (each value an integer in [min, max]). */
const LISTS = {
  n: { min: 2, max: 100_000, what: "training bags N" },
  m: { min: 2, max: 4096, what: "samples per bag m" },
  adapt: { min: 2, max: 100_000, what: "adaptation bags" },
  widths: { min: 1, max: 1024, what: "widths" },
  depths: { min: 0, max: 16, what: "depths" },
} as const;

export const DISTREG_FLAGS: FlagSpec[] = [
  {
    name: "task",
    kind: "string",
    value: "NAME[,NAME…]",
    help: `task(s): ${TASK_NAMES.join(", ")} (not with --bags; peft uses the mixture family)`,
  },
  {
    name: "bags",
    kind: "string",
    value: "FILE.csv",
    help: "your own bags: bag id, feature columns",
  },
  { name: "targets", kind: "string", value: "FILE.csv", help: "their targets: bag id, target" },
  {
    name: "experiment",
    kind: "string",
    value: "NAME",
    choices: EXPERIMENTS,
    default: "curves",
    help: "learning curves, functional complexity, prompt tuning/PEFT, or scaling",
  },
  { name: "n", kind: "string", value: "N,…", default: "32,64,128,256", help: "training bags N" },
  { name: "m", kind: "string", value: "M,…", default: "8,16,32", help: "samples per bag m" },
  {
    name: "models",
    kind: "string",
    value: "NAME,…",
    default: MODEL_NAMES.join(","),
    help: `models: ${MODEL_NAMES.join(", ")}`,
  },
  {
    name: "seeds",
    kind: "integer",
    constraint: between(1, 100),
    default: 2,
    help: "runs per cell (seeds 1…S)",
  },
  {
    name: "test-bags",
    kind: "integer",
    constraint: between(2, 100_000),
    default: 200,
    help: "held-out bags per seed (your bags: default a fifth of them)",
  },
  {
    name: "dim",
    kind: "integer",
    constraint: between(1, MAX_LOGDET_DIM),
    default: 3,
    help: "dimension of gaussian-logdet",
  },
  {
    name: "steps",
    kind: "integer",
    constraint: between(1, 1_000_000),
    default: 300,
    help: "optimizer steps per neural model",
  },
  {
    name: "batch",
    kind: "integer",
    constraint: between(1, 4096),
    default: DEFAULT_SET_TRAINING.batch,
    help: "bags per step",
  },
  {
    name: "lr",
    kind: "number",
    constraint: between(1e-7, 10),
    default: DEFAULT_SET_TRAINING.learningRate,
    help: "peak learning rate",
  },
  {
    name: "width",
    kind: "integer",
    constraint: between(1, 1024),
    default: 32,
    help: "set transformer width (Deep Sets: twice it)",
  },
  {
    name: "layers",
    kind: "integer",
    constraint: between(0, 16),
    default: 2,
    help: "set transformer encoder blocks",
  },
  {
    name: "heads",
    kind: "integer",
    constraint: between(1, 64),
    default: 4,
    help: "attention heads",
  },
  {
    name: "k",
    kind: "integer",
    constraint: between(1, 4096),
    default: 8,
    help: "neighbours of k-NN-local attention",
  },
  {
    name: "pooling",
    kind: "string",
    value: "KIND",
    choices: SET_POOLINGS,
    default: "pma",
    help: "pooling: attention from learned seeds, or the mean",
  },
  {
    name: "pretrain-bags",
    kind: "integer",
    constraint: between(2, 100_000),
    default: 1024,
    help: "peft: pretraining bags",
  },
  {
    name: "pretrain-targets",
    kind: "string",
    value: "NAME,…",
    default: "mean,variance,entropy",
    help: `peft: pretraining functionals (${MIXTURE_FUNCTIONALS.join(", ")})`,
  },
  {
    name: "target",
    kind: "string",
    value: "NAME",
    choices: MIXTURE_FUNCTIONALS,
    default: "quantile",
    help: "peft: the new functional",
  },
  {
    name: "adapt",
    kind: "string",
    value: "N,…",
    default: "8,16,32,64,128",
    help: "peft: adaptation bags",
  },
  {
    name: "methods",
    kind: "string",
    value: "NAME,…",
    default: PEFT_METHODS.join(","),
    help: `peft: ${PEFT_METHODS.join(", ")}`,
  },
  {
    name: "prompts",
    kind: "integer",
    constraint: between(1, 256),
    default: 4,
    help: "peft: prompt tokens",
  },
  {
    name: "rank",
    kind: "integer",
    constraint: between(1, 256),
    default: 4,
    help: "peft: LoRA rank",
  },
  { name: "widths", kind: "string", value: "W,…", default: "16,32,64", help: "scaling: widths" },
  { name: "depths", kind: "string", value: "L,…", default: "1,2,3", help: "scaling: depths" },
  { name: "json", kind: "boolean", help: "print every run and the summary as JSON" },
  { name: "markdown", kind: "boolean", help: "print the tables as Markdown" },
  {
    name: "plot",
    kind: "string",
    value: "FILE.svg",
    output: "file",
    help: "write the curves as an SVG log–log plot",
  },
  THREADS_FLAG,
];

/** The comma-separated names of a flag, each one of `choices`. */
export function nameList<T extends string>(
  flags: FlagValues,
  name: string,
  choices: readonly T[],
): T[] {
  const items = String(flags[name])
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) throw new UsageError(`--${name} needs at least one value`);
  for (const item of items)
    if (!(choices as readonly string[]).includes(item))
      throw new UsageError(
        `--${name}: unknown value '${item}'; expected one of ${choices.join(", ")}`,
      );
  const twice = items.find((x, i) => items.indexOf(x) !== i);
  if (twice !== undefined) throw new UsageError(`--${name} lists '${twice}' twice`);
  return items as T[];
}

/** The comma-separated integers of a list flag, within its bounds, sorted and distinct. */
export function integerList(flags: FlagValues, name: keyof typeof LISTS): number[] {
  const { min, max, what } = LISTS[name];
  const items = String(flags[name])
    .split(",")
    .map((s) => s.trim());
  if (items.length === 0 || items.every((s) => s === ""))
    throw new UsageError(`--${name} needs at least one value`);
  const values = items.map((item) => {
    const value = /^\d+$/.test(item) ? Number(item) : NaN;
    if (!Number.isSafeInteger(value) || value < min || value > max)
      throw new UsageError(
        `--${name} takes ${what} as integers in [${min}, ${max}], comma-separated; got '${item}'`,
      );
    return value;
  });
  return [...new Set(values)].sort((a, b) => a - b);
}

export function modelList(flags: FlagValues): ModelName[] {
  return nameList(flags, "models", MODEL_NAMES);
}

export function methodList(flags: FlagValues): PeftMethod[] {
  return nameList(flags, "methods", PEFT_METHODS);
}

/** The neural models' settings from the flags. */
export function neuralSettings(flags: FlagValues): NeuralSettings {
  const batch = flags.batch as number;
  const steps = flags.steps as number;
  return {
    width: flags.width as number,
    layers: flags.layers as number,
    heads: flags.heads as number,
    k: flags.k as number,
    pooling: flags.pooling as SetPooling,
    training: {
      ...DEFAULT_SET_TRAINING,
      steps,
      batch,
      evalBatch: batch,
      learningRate: flags.lr as number,
      warmup: Math.min(DEFAULT_SET_TRAINING.warmup, Math.floor(steps / 10)),
    },
  };
}

/** Library fields whose flag is not their kebab-case name. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = { learningRate: "lr" };

/** The flag of a library field: `testBags` → `--test-bags`, `learningRate` → `--lr`. */
export function flagOf(field: string): string {
  const name = Object.hasOwn(FLAG_OF_FIELD, field)
    ? FLAG_OF_FIELD[field]
    : field.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  return `--${name}`;
}

/**
 * Runs `action` with the library's field names in its errors turned into flags: a FieldError
 * becomes a UsageError (exit 2) when `usage`, else a LocalistError (exit 1), worded with flags.
 */
export async function withFlagNames<T>(
  action: () => T | Promise<T>,
  options: { usage?: boolean } = {},
): Promise<T> {
  try {
    return await action();
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    const line = error.render(flagOf);
    throw options.usage ? new UsageError(line) : new LocalistError(line);
  }
}

/** Refuses sizes whose arrays would not fit: the pool's samples and a batch's attention logits. */
export function checkSizes(options: {
  bags: number;
  samples: number;
  dim: number;
  neural: NeuralSettings;
  extraTokens?: number;
}): void {
  const { bags, samples, dim, neural } = options;
  try {
    checkPoolSize({ bags, samples, dim });
    checkAttentionSize({
      batch: neural.training.batch,
      heads: neural.heads,
      tokens: samples + (options.extraTokens ?? 0),
    });
  } catch (error) {
    if (error instanceof FieldError) throw new UsageError(error.render(flagOf));
    throw error;
  }
}
