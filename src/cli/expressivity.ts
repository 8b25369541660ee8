/**
 * `localist expressivity`: the local-attention expressivity benchmark — recognizers with k-local,
 * hybrid and global attention trained on short strings of regular languages over {a, b} and tested
 * on longer ones; a table of test accuracy (language × model) on stdout, progress on stderr.
 */
import { parseDecimal } from "../engine/numbers.js";
import { THREADS_FLAG } from "./command.js";
import { POSITIONAL_ENCODINGS, type PositionalEncoding } from "../model/config.js";
import { compileRegex } from "../data/languages/regex.js";
import {
  DEFAULT_LANGUAGES,
  DEFAULT_MODELS,
  formatMarkdown,
  formatTable,
  parseModelKind,
  runBenchmark,
  type LengthRange,
} from "../../experiments/expressivity/benchmark.js";
import {
  DEFAULT_RECOGNIZER,
  recognizerConfig,
  type RecognizerSettings,
} from "../train/recognizer.js";
import type { Command } from "./command.js";
import {
  asUsageError,
  POSITIVE,
  POSITIVE_INTEGER,
  UsageError,
  type FlagSpec,
  type FlagValues,
} from "./flags.js";

/** `--steps small`: a quick run for smoke tests. */
const SMALL_STEPS = 60;

const FLAGS: FlagSpec[] = [
  {
    name: "languages",
    kind: "string",
    value: "REGEX,…",
    default: DEFAULT_LANGUAGES.join(","),
    help: "regular expressions over {a, b} (a b Σ . [ab] ( ) | * + ?), comma-separated",
  },
  {
    name: "models",
    kind: "string",
    value: "KIND,…",
    default: DEFAULT_MODELS.join(","),
    help: "model kinds: local:K (all heads K-local), hybrid:K (half K-local, half global), global",
  },
  {
    name: "seeds",
    kind: "integer",
    constraint: POSITIVE_INTEGER,
    default: 3,
    help: "training runs per cell (seeds 1…N)",
  },
  {
    name: "pos",
    kind: "string",
    value: "KIND",
    choices: POSITIONAL_ENCODINGS,
    default: "none",
    help: "position encoding",
  },
  {
    name: "steps",
    kind: "string",
    value: "N|small",
    default: String(DEFAULT_RECOGNIZER.steps),
    help: `optimizer steps per run; small = ${SMALL_STEPS}`,
  },
  {
    name: "batch",
    kind: "integer",
    constraint: POSITIVE_INTEGER,
    default: DEFAULT_RECOGNIZER.batch,
    help: "strings per step",
  },
  {
    name: "lr",
    kind: "number",
    constraint: POSITIVE,
    default: DEFAULT_RECOGNIZER.learningRate,
    help: "peak learning rate",
  },
  {
    name: "layers",
    kind: "integer",
    constraint: POSITIVE_INTEGER,
    default: DEFAULT_RECOGNIZER.layers,
    help: "transformer blocks",
  },
  {
    name: "heads",
    kind: "integer",
    constraint: POSITIVE_INTEGER,
    default: DEFAULT_RECOGNIZER.heads,
    help: "attention heads",
  },
  {
    name: "d-model",
    kind: "integer",
    constraint: POSITIVE_INTEGER,
    default: DEFAULT_RECOGNIZER.dModel,
    help: "model width",
  },
  {
    name: "train-lengths",
    kind: "string",
    value: "MIN-MAX",
    default: "1-40",
    help: "training string lengths",
  },
  {
    name: "test-lengths",
    kind: "string",
    value: "MIN-MAX",
    default: "41-500",
    help: "test string lengths",
  },
  {
    name: "test-strings",
    kind: "integer",
    constraint: POSITIVE_INTEGER,
    default: 320,
    help: "balanced test strings per run, spread over the test grid",
  },
  {
    name: "test-grid",
    kind: "integer",
    constraint: POSITIVE_INTEGER,
    default: 10,
    help: "test lengths evenly spaced over the test range",
  },
  {
    name: "no-end-token",
    kind: "boolean",
    help: "read the classifier at the last letter instead of an appended end-of-string token",
  },
  { name: "json", kind: "boolean", help: "print every run and the summary as JSON" },
  { name: "markdown", kind: "boolean", help: "print the table as Markdown" },
  THREADS_FLAG,
];

function lengthRange(flags: FlagValues, name: string): LengthRange {
  const text = flags[name] as string;
  const match = /^(\d+)-(\d+)$/.exec(text.trim());
  const min = match ? Number(match[1]) : NaN;
  const max = match ? Number(match[2]) : NaN;
  if (!match || min < 1 || max < min)
    throw new UsageError(`--${name} must be MIN-MAX with 1 ≤ MIN ≤ MAX, got '${text}'`);
  return { min, max };
}

function list(flags: FlagValues, name: string): string[] {
  const items = (flags[name] as string)
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "");
  if (items.length === 0) throw new UsageError(`--${name} needs at least one value`);
  return items;
}

function steps(flags: FlagValues): number {
  const text = (flags.steps as string).trim();
  if (text === "small") return SMALL_STEPS;
  const value = parseDecimal(text);
  if (!(Number.isInteger(value) && value >= 1))
    throw new UsageError(`--steps must be a positive integer or small, got '${text}'`);
  return value;
}

async function run({ flags }: { flags: FlagValues }): Promise<string> {
  if (flags.json && flags.markdown) throw new UsageError("choose one of --json and --markdown");
  const languages = list(flags, "languages");
  const models = list(flags, "models");
  // Flag values are checked before any training; a malformed one is a usage error (exit 2).
  asUsageError(() => models.forEach((m) => parseModelKind(m)));
  asUsageError(() => languages.forEach((pattern) => compileRegex(pattern)));
  const dModel = flags["d-model"] as number;
  const settings: RecognizerSettings = {
    ...DEFAULT_RECOGNIZER,
    steps: steps(flags),
    batch: flags.batch as number,
    learningRate: flags.lr as number,
    layers: flags.layers as number,
    heads: flags.heads as number,
    dModel,
    dMlp: 2 * dModel,
    positional: flags.pos as PositionalEncoding,
    endToken: flags["no-end-token"] !== true,
  };
  settings.warmup = Math.min(DEFAULT_RECOGNIZER.warmup, Math.floor(settings.steps / 10));
  const train = lengthRange(flags, "train-lengths");
  const test = lengthRange(flags, "test-lengths");
  asUsageError(() =>
    models.forEach((m) => recognizerConfig(parseModelKind(m), settings, test.max)),
  );
  const result = await runBenchmark({
    languages,
    models,
    seeds: flags.seeds as number,
    settings,
    train,
    test,
    testStrings: flags["test-strings"] as number,
    testLengths: flags["test-grid"] as number,
  });
  if (flags.json) return JSON.stringify(result, null, 2);
  return flags.markdown ? formatMarkdown(result) : formatTable(result);
}

export const EXPRESSIVITY: Command = {
  summary: "local vs hybrid vs global attention recognizers of regular languages",
  usage:
    "localist expressivity [--languages REGEX,…] [--models KIND,…] [--seeds N] [--pos KIND] [--steps N] [--json | --markdown]",
  description:
    "Train transformer recognizers (strict causal masking, read at an end-of-string token) on strings of\n" +
    "length 1–40 and report their accuracy on balanced strings of length 41–500, per language and model.",
  flags: FLAGS,
  run,
};
