/**
 * `localist train`, `localist eval` and `localist generate`: the transformer language model.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { check, LocalistError } from "../engine/errors.js";
import { corpusSentences, encodeSentences, loadLmCorpus } from "../data/lmCorpus.js";
import { tokenizeWords } from "../data/textCorpus.js";
import { bigramModel, unigramModel } from "../data/ngram.js";
import {
  formatAttentionSpec,
  localHeadCount,
  parseAttentionSpec,
  POSITIONAL_ENCODINGS,
  validateModelConfig,
  type ModelConfig,
  type PositionalEncoding,
} from "../model/config.js";
import { generateTokens } from "../model/generate.js";
import { evaluateStream } from "../train/evaluate.js";
import { loadModel, type SavedModel, type TrainSettings } from "../io/savedModel.js";
import { trainLanguageModel } from "../train/trainer.js";
import { CHECKPOINT_FILES } from "../io/checkpoint.js";
import { createProgress } from "../io/progress.js";
import {
  helpIfAsked,
  noPositionals,
  parseFlags,
  requireFlag,
  UsageError,
  type FlagSpec,
  type FlagValues,
} from "./flags.js";
import {
  DIAL_FLAG,
  dialFromFlags,
  LOCALIST_TRAIN_FLAGS,
  localistFromFlags,
  SCHEDULE_FLAG,
} from "./localistFlags.js";
import type { Tokenizer } from "../data/tokenizer.js";

/** Attention weights of one step may use at most this many bytes (B·H·T²·4 for global heads). */
const ATTENTION_MEMORY_LIMIT = 2 * 2 ** 30;

const TRAIN_FLAGS: FlagSpec[] = [
  {
    name: "out",
    kind: "string",
    value: "DIR",
    help: "folder for the checkpoint and metrics.jsonl (required)",
  },
  {
    name: "resume",
    kind: "boolean",
    help: "continue the run saved in --out exactly where it stopped",
  },
  {
    name: "corpus",
    kind: "string",
    value: "brown|FILES",
    default: "brown",
    help: "the Brown corpus, or comma-separated text files",
  },
  {
    name: "tokenizer",
    kind: "string",
    choices: ["word", "char"],
    default: "word",
    value: "KIND",
    help: "tokenizer",
  },
  {
    name: "vocab",
    kind: "integer",
    default: 10000,
    help: "vocabulary cap, special tokens included",
  },
  { name: "min-count", kind: "integer", default: 1, help: "drop words seen fewer times" },
  { name: "layers", kind: "integer", default: 2, help: "transformer blocks" },
  { name: "heads", kind: "integer", default: 4, help: "attention heads per block" },
  { name: "d-model", kind: "integer", default: 128, help: "model width" },
  { name: "d-mlp", kind: "integer", help: "MLP width (default 4 × d-model)" },
  { name: "context", kind: "integer", default: 64, help: "tokens per training window" },
  {
    name: "attention",
    kind: "string",
    value: "KIND",
    default: "global",
    help: "global, local:K or hybrid:K",
  },
  {
    name: "pos",
    kind: "string",
    choices: POSITIONAL_ENCODINGS,
    default: "learned",
    value: "KIND",
    help: "position encoding",
  },
  { name: "strict", kind: "boolean", help: "strict causal masking (a token does not see itself)" },
  { name: "steps", kind: "integer", default: 800, help: "optimizer steps" },
  { name: "batch", kind: "integer", default: 16, help: "windows per step" },
  { name: "lr", kind: "number", default: 3e-3, help: "peak learning rate" },
  { name: "warmup", kind: "integer", default: 50, help: "linear warm-up steps" },
  { name: "weight-decay", kind: "number", default: 0.1, help: "AdamW weight decay on matrices" },
  { name: "clip", kind: "number", default: 1, help: "global gradient-norm clip" },
  { name: "seed", kind: "integer", default: 1, help: "seed for initialization and batches" },
  { name: "checkpoint-every", kind: "integer", default: 100, help: "save every N steps" },
  ...LOCALIST_TRAIN_FLAGS,
];

const TRAIN_ONLY_FLAGS = TRAIN_FLAGS.map((f) => f.name).filter(
  (n) => n !== "out" && n !== "resume",
);

function positive(flags: FlagValues, name: string): number {
  const value = flags[name] as number;
  if (!(value > 0)) throw new UsageError(`--${name} must be > 0, got ${value}`);
  return value;
}

/** The model config and training settings from flags, validated once. */
function configFromFlags(
  flags: FlagValues,
  args: string[],
  tokenizer: Tokenizer,
): { config: Readonly<ModelConfig>; settings: TrainSettings } {
  const vocabSize = tokenizer.vocabSize;
  const dModel = positive(flags, "d-model");
  let attention;
  try {
    attention = parseAttentionSpec(flags.attention as string);
  } catch (error) {
    throw new UsageError(`--${(error as Error).message}`);
  }
  const heads = positive(flags, "heads");
  const context = positive(flags, "context");
  const localist = localistFromFlags(flags, args, tokenizer, heads, context);
  const config = validateModelConfig({
    vocabSize,
    context,
    layers: positive(flags, "layers"),
    heads,
    dModel,
    dMlp: flags["d-mlp"] === undefined ? 4 * dModel : positive(flags, "d-mlp"),
    attention,
    positional: flags.pos as PositionalEncoding,
    strict: flags.strict === true,
    ...(localist ? { localist: localist.structure } : {}),
  });
  const batch = positive(flags, "batch");
  const globalHeads = config.heads - localHeadCount(config);
  const attentionBytes = batch * globalHeads * config.context * config.context * 4;
  if (attentionBytes > ATTENTION_MEMORY_LIMIT) {
    throw new LocalistError(
      `--context ${config.context} with --batch ${batch} and ${globalHeads} global heads needs ${(attentionBytes / 2 ** 30).toFixed(1)} GiB per attention map, over the ${ATTENTION_MEMORY_LIMIT / 2 ** 30} GiB limit; lower --context or --batch, or use --attention local:K`,
    );
  }
  const settings: TrainSettings = {
    corpus: flags.corpus as string,
    tokenizer: flags.tokenizer as "word" | "char",
    maxVocab: positive(flags, "vocab"),
    minCount: positive(flags, "min-count"),
    lowercase: flags.tokenizer === "word",
    steps: positive(flags, "steps"),
    batch,
    learningRate: positive(flags, "lr"),
    warmup: flags.warmup as number,
    seed: flags.seed as number,
    weightDecay: flags["weight-decay"] as number,
    clipNorm: positive(flags, "clip"),
    checkpointEvery: positive(flags, "checkpoint-every"),
  };
  if (localist) settings.localist = localist.training;
  return { config, settings };
}

export function runTrain(args: string[]): string {
  const command = "localist train";
  const help = helpIfAsked(
    args,
    `${command} --out DIR [options]`,
    "Train a transformer language model (default: the Brown corpus).",
    TRAIN_FLAGS,
  );
  if (help) return help;
  const { flags, positionals } = parseFlags(args, TRAIN_FLAGS, command);
  noPositionals(positionals, command);
  const out = requireFlag(flags, "out", command);
  if (flags.resume) {
    const given = TRAIN_ONLY_FLAGS.filter((name) =>
      args.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)),
    );
    if (given.length > 0) {
      throw new UsageError(
        `--resume continues the run in ${out} with its saved settings; drop --${given.join(", --")}`,
      );
    }
    const saved = loadModel(out, { withOptimizer: true });
    if (saved.step >= saved.settings.steps) {
      throw new LocalistError(
        `the run in ${out} already finished its ${saved.settings.steps} steps; nothing to resume`,
      );
    }
    const data = encodeWith(saved);
    process.stderr.write(`resuming ${out} at step ${saved.step} of ${saved.settings.steps}\n`);
    const summary = trainLanguageModel(
      {
        config: saved.config,
        settings: saved.settings,
        resume: {
          params: saved.params,
          optimizer: saved.optimizer as NonNullable<SavedModel["optimizer"]>,
          step: saved.step,
        },
      },
      data,
      { out },
    );
    return trainReport(out, summary);
  }
  if (existsSync(join(out, CHECKPOINT_FILES.config))) {
    throw new LocalistError(
      `${out} already holds a model; use --resume to continue it, or choose another --out`,
    );
  }
  const corpus = loadLmCorpus({
    corpus: flags.corpus as string,
    tokenizer: flags.tokenizer as "word" | "char",
    maxVocab: positive(flags, "vocab"),
    minCount: positive(flags, "min-count"),
    lowercase: flags.tokenizer === "word",
  });
  const { config, settings } = configFromFlags(flags, args, corpus.tokenizer);
  check(
    corpus.train.length > config.context,
    `the training split of ${settings.corpus} has ${corpus.train.length} tokens, fewer than --context + 1 = ${config.context + 1}; use a smaller --context or a larger corpus`,
  );
  process.stderr.write(
    `training ${config.layers}×${config.dModel} (${formatAttentionSpec(config.attention)}, ${config.positional} positions) on ${settings.corpus}: ` +
      `${corpus.train.length} tokens, vocabulary ${corpus.tokenizer.vocabSize}\n`,
  );
  const summary = trainLanguageModel({ config, settings }, corpus, { out });
  return trainReport(out, summary);
}

function trainReport(out: string, summary: ReturnType<typeof trainLanguageModel>): string {
  const lines = [
    `trained ${summary.steps} steps in ${summary.seconds.toFixed(0)} s (${Math.round(summary.tokensPerSecond)} tokens/s); last loss ${summary.finalLoss.toFixed(4)}`,
  ];
  if (summary.valid) {
    lines.push(
      `validation: perplexity ${summary.valid.perplexity.toFixed(2)}, accuracy ${(100 * summary.valid.accuracy).toFixed(2)}%`,
    );
  }
  lines.push(`model saved in ${out}`);
  return lines.join("\n");
}

/** Re-encodes the model's corpus with its saved tokenizer. */
function encodeWith(saved: SavedModel): {
  tokenizer: SavedModel["tokenizer"];
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
} {
  const sentences = corpusSentences(saved.settings.corpus);
  return {
    tokenizer: saved.tokenizer,
    train: encodeSentences(saved.tokenizer, sentences.train),
    valid: encodeSentences(saved.tokenizer, sentences.valid),
    test: encodeSentences(saved.tokenizer, sentences.test),
  };
}

const EVAL_FLAGS: FlagSpec[] = [
  { name: "model", kind: "string", value: "DIR", help: "a trained model folder (required)" },
  {
    name: "split",
    kind: "string",
    choices: ["valid", "test"],
    default: "test",
    value: "SPLIT",
    help: "which split",
  },
  { name: "batch", kind: "integer", default: 16, help: "windows per evaluation batch" },
  {
    name: "stride",
    kind: "integer",
    help: "sliding-window stride S: every scored token has ≥ T − S tokens of context (default T/2)",
  },
  DIAL_FLAG,
  SCHEDULE_FLAG,
  { name: "json", kind: "boolean", help: "print JSON instead of a table" },
];

export function runEval(args: string[]): string {
  const command = "localist eval";
  const help = helpIfAsked(
    args,
    `${command} --model DIR [options]`,
    "Perplexity and next-token accuracy of a trained model, beside unigram and bigram baselines.",
    EVAL_FLAGS,
  );
  if (help) return help;
  const { flags, positionals } = parseFlags(args, EVAL_FLAGS, command);
  noPositionals(positionals, command);
  const dir = requireFlag(flags, "model", command);
  const saved = loadModel(dir);
  const data = encodeWith(saved);
  const split = flags.split as "valid" | "test";
  const ids = data[split];
  const progress = createProgress({ total: 1, label: "eval" });
  const dial = dialFromFlags(flags, saved.config, dir);
  const result = evaluateStream(saved.params, saved.config, ids, {
    batch: positive(flags, "batch"),
    stride: flags.stride === undefined ? undefined : positive(flags, "stride"),
    dial,
    onBatch: (done, total) => progress.update(done / total),
  });
  progress.finish();
  for (const p of Object.values(saved.params)) p.dispose();
  const vocab = saved.tokenizer.vocabSize;
  const unigram = unigramModel(data.train, vocab);
  const bigram = bigramModel(data.train, vocab, data.valid);
  const report = {
    model: dir,
    split,
    tokens: result.tokens,
    perplexity: result.perplexity,
    accuracy: result.accuracy,
    loss: result.loss,
    baselines: {
      unigram: unigram.perplexity(ids),
      bigram: bigram.perplexity(ids),
      bigramLambda: bigram.lambda,
    },
  };
  if (flags.json) return JSON.stringify(report, null, 2);
  return [
    `${split} split of ${saved.settings.corpus}: ${result.tokens} predicted tokens`,
    `| model | perplexity | accuracy |`,
    `|---|---|---|`,
    `| ${dir} | ${result.perplexity.toFixed(2)} | ${(100 * result.accuracy).toFixed(2)}% |`,
    `| unigram (add-one) | ${report.baselines.unigram.toFixed(2)} | |`,
    `| bigram (interpolated, λ = ${bigram.lambda}) | ${report.baselines.bigram.toFixed(2)} | |`,
  ].join("\n");
}

const GENERATE_FLAGS: FlagSpec[] = [
  { name: "model", kind: "string", value: "DIR", help: "a trained model folder (required)" },
  { name: "prompt", kind: "string", value: "TEXT", help: "text to continue (required)" },
  { name: "tokens", kind: "integer", default: 30, help: "tokens to generate" },
  { name: "temperature", kind: "number", default: 1, help: "sampling temperature (0 = greedy)" },
  {
    name: "top-k",
    kind: "integer",
    default: 0,
    help: "sample among the k most likely tokens (0 = all)",
  },
  { name: "seed", kind: "integer", default: 0, help: "sampling seed" },
  DIAL_FLAG,
  SCHEDULE_FLAG,
];

export function runGenerate(args: string[]): string {
  const command = "localist generate";
  const help = helpIfAsked(
    args,
    `${command} --model DIR --prompt TEXT [options]`,
    "Continue a prompt with a trained language model.",
    GENERATE_FLAGS,
  );
  if (help) return help;
  const { flags, positionals } = parseFlags(args, GENERATE_FLAGS, command);
  noPositionals(positionals, command);
  const dir = requireFlag(flags, "model", command);
  const prompt = requireFlag(flags, "prompt", command);
  const tokens = flags.tokens as number;
  if (tokens < 0) throw new UsageError(`--tokens must be ≥ 0, got ${tokens}`);
  const temperature = flags.temperature as number;
  if (temperature < 0) throw new UsageError(`--temperature must be ≥ 0, got ${temperature}`);
  const topK = flags["top-k"] as number;
  if (topK < 0) throw new UsageError(`--top-k must be ≥ 0, got ${topK}`);
  const saved = loadModel(dir);
  const tokenizer = saved.tokenizer;
  const promptIds =
    tokenizer.kind === "word"
      ? tokenizer.encode(tokenizeWords(prompt))
      : tokenizer.encodeText(prompt);
  if (promptIds.length === 0)
    throw new LocalistError("the prompt has no tokens; give some text with --prompt");
  const produced = generateTokens(saved.params, saved.config, promptIds, {
    tokens,
    dial: dialFromFlags(flags, saved.config, dir),
    temperature,
    topK,
    seed: flags.seed as number,
  });
  for (const p of Object.values(saved.params)) p.dispose();
  const words = tokenizer.decode(produced).map((w) => (w === "<eos>" ? "\n" : w));
  const joiner = tokenizer.kind === "word" ? " " : "";
  return (prompt + joiner + words.join(joiner)).replace(/ \n /g, "\n");
}
