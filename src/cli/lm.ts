/** `localist train`, `localist eval` and `localist generate`: the transformer language model. */
import { THREADS_FLAG } from "./command.js";
import {
  parseAttentionSpec,
  POSITIONAL_ENCODINGS,
  type PositionalEncoding,
} from "../model/config.js";
import { createProgress } from "../io/progress.js";
import { EOS_ID } from "../data/tokenizer.js";
import type { TrainSummary } from "../train/languageModel.js";
import { LocalistModel } from "../lm/node.js";
import {
  ANCHOR_KINDS,
  validateTrainingSpec,
  type AnchorKind,
  type TrainingSpec,
} from "../lm/trainingSpec.js";
import type { Command } from "./command.js";
import { RULES_FLAG, rulesFromFlags } from "./rules.js";
import {
  asUsageError,
  NON_NEGATIVE,
  POSITIVE,
  requireFlag,
  seedFlag,
  UsageError,
  type FlagSpec,
  type ParsedFlags,
} from "./flags.js";
import {
  DIAL_FLAG,
  dialFromFlags,
  LOCALIST_TRAIN_FLAGS,
  localistFromFlags,
  SCHEDULE_FLAG,
} from "./localistFlags.js";

const positiveInteger = (spec: Omit<FlagSpec, "kind">): FlagSpec => ({
  ...spec,
  kind: "integer",
  constraint: POSITIVE,
});

const TRAIN_FLAGS: FlagSpec[] = [
  {
    name: "out",
    kind: "string",
    value: "DIR",
    output: "folder",
    help: "folder for the checkpoint and metrics.jsonl (required)",
  },
  {
    name: "resume",
    kind: "boolean",
    help: "continue the run saved in --out exactly where it stopped",
  },
  {
    name: "init-only",
    kind: "boolean",
    help: "write the initial checkpoint (step 0) and stop, e.g. to train it with PyTorch",
  },
  {
    name: "corpus",
    kind: "string",
    value: "brown|FILES",
    default: "brown",
    help: "the Brown corpus, or comma-separated text files",
  },
  {
    name: "data",
    kind: "string",
    value: "DIR",
    help: "a folder made by 'localist prepare': its tokenizer, its splits read by window, its blocks per occurrence (instead of --corpus)",
  },
  {
    name: "tokenizer",
    kind: "string",
    choices: ["word", "char", "bpe"],
    default: "word",
    value: "KIND",
    help: "tokenizer: words, characters, or byte-level BPE learned on the training split",
  },
  {
    name: "vocab",
    kind: "integer",
    default: 10000,
    // Room for <unk> and <eos>: the tokenizer's own minimum, checked here to name the flag.
    constraint: { ok: (v) => v >= 2, expected: "≥ 2 (room for <unk> and <eos>)" },
    help: "vocabulary cap, special tokens included",
  },
  positiveInteger({ name: "min-count", default: 1, help: "drop words seen fewer times" }),
  positiveInteger({ name: "layers", default: 2, help: "transformer blocks" }),
  positiveInteger({ name: "heads", default: 4, help: "attention heads per block" }),
  positiveInteger({ name: "d-model", default: 128, help: "model width" }),
  positiveInteger({ name: "d-mlp", help: "MLP width (default 4 × d-model)" }),
  positiveInteger({ name: "context", default: 64, help: "tokens per training window" }),
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
  positiveInteger({ name: "steps", default: 800, help: "optimizer steps" }),
  positiveInteger({ name: "batch", default: 16, help: "windows per step" }),
  { name: "lr", kind: "number", constraint: POSITIVE, default: 3e-3, help: "peak learning rate" },
  {
    name: "warmup",
    kind: "integer",
    constraint: NON_NEGATIVE,
    default: 50,
    help: "linear warm-up steps",
  },
  {
    name: "weight-decay",
    kind: "number",
    constraint: NON_NEGATIVE,
    default: 0.1,
    help: "AdamW weight decay on matrices",
  },
  {
    name: "clip",
    kind: "number",
    constraint: POSITIVE,
    default: 1,
    help: "global gradient-norm clip",
  },
  seedFlag(1, "seed for initialization and batches"),
  positiveInteger({ name: "checkpoint-every", default: 100, help: "save every N steps" }),
  ...LOCALIST_TRAIN_FLAGS,
  positiveInteger({
    name: "anchors",
    help: "K anchors visible beyond the window of local heads (needs --attention local:W or hybrid:W)",
  }),
  {
    name: "anchor-kind",
    kind: "string",
    choices: ANCHOR_KINDS,
    default: "mutual-information",
    value: "KIND",
    help: "top K tokens by mutual information, the first K positions (sinks), or K random frequent tokens",
  },
  THREADS_FLAG,
];

const announce = (line: string) => process.stderr.write(`${line}\n`);

/** What `train` prints when it finishes. */
export function trainReport(out: string, summary: TrainSummary): string {
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

async function runTrain(parsed: ParsedFlags): Promise<string> {
  const { flags, given } = parsed;
  const out = requireFlag(flags, "out", "localist train");
  if (flags.resume) {
    const stray = TRAIN_FLAGS.map((f) => f.name).filter(
      (name) => !["out", "resume", "threads"].includes(name) && given.has(name),
    );
    if (stray.length > 0)
      throw new UsageError(
        `--resume continues the run in ${out} with its saved settings; drop --${stray.join(", --")}`,
      );
    return trainReport(out, await LocalistModel.resume({ out, announce }));
  }
  let attention;
  try {
    attention = parseAttentionSpec(flags.attention as string);
  } catch (error) {
    // The library's messages start with the field ("attention …"), which is the flag's name.
    throw new UsageError(`--${(error as Error).message}`);
  }
  const dModel = flags["d-model"] as number;
  const model = {
    context: flags.context as number,
    layers: flags.layers as number,
    heads: flags.heads as number,
    dModel,
    dMlp: (flags["d-mlp"] as number | undefined) ?? 4 * dModel,
    attention,
    positional: flags.pos as PositionalEncoding,
    strict: flags.strict === true,
  };
  const data = flags.data as string | undefined;
  const corpusFlag = ["corpus", "tokenizer", "vocab", "min-count"].find((name) => given.has(name));
  if (data !== undefined && corpusFlag)
    throw new UsageError(
      `--data trains on a prepared folder with its own tokenizer; drop --${corpusFlag}`,
    );
  const anchorCount = flags.anchors as number | undefined;
  if (anchorCount === undefined && given.has("anchor-kind"))
    throw new UsageError("--anchor-kind needs --anchors K");
  const spec: TrainingSpec = {
    corpus: {
      corpus: flags.corpus as string,
      tokenizer: flags.tokenizer as "word" | "char" | "bpe",
      maxVocab: flags.vocab as number,
      minCount: flags["min-count"] as number,
      lowercase: flags.tokenizer === "word",
    },
    ...(data === undefined ? {} : { data }),
    model,
    settings: {
      steps: flags.steps as number,
      batch: flags.batch as number,
      learningRate: flags.lr as number,
      warmup: flags.warmup as number,
      seed: flags.seed as number,
      weightDecay: flags["weight-decay"] as number,
      clipNorm: flags.clip as number,
      checkpointEvery: flags["checkpoint-every"] as number,
    },
    localist: localistFromFlags(parsed),
    ...(anchorCount === undefined
      ? {}
      : { anchors: { kind: flags["anchor-kind"] as AnchorKind, count: anchorCount } }),
  };
  // The spec's problems (heads divide d-model, anchors need a local window, …) are command-line
  // mistakes: the library's one validator names the field, which main.ts shows as its flag.
  asUsageError(() => validateTrainingSpec(spec));
  if (flags["init-only"]) {
    await LocalistModel.initialize(spec, { out, announce });
    return `initial checkpoint (step 0 of ${spec.settings.steps}) saved in ${out}`;
  }
  return trainReport(out, await LocalistModel.train(spec, { out, announce }));
}

export const TRAIN: Command = {
  summary: "train a transformer language model (default: the Brown corpus)",
  usage: "localist train --out DIR [options]",
  description: "Train a transformer language model (default: the Brown corpus).",
  flags: TRAIN_FLAGS,
  run: runTrain,
};

export const EVAL: Command = {
  summary: "perplexity and accuracy of a trained model, beside unigram and bigram baselines",
  usage: "localist eval --model DIR [options]",
  description:
    "Perplexity and next-token accuracy of a trained model, beside unigram and bigram baselines.",
  flags: [
    { name: "model", kind: "string", value: "DIR", help: "a trained model folder (required)" },
    {
      name: "split",
      kind: "string",
      choices: ["valid", "test"],
      default: "test",
      value: "SPLIT",
      help: "which split",
    },
    positiveInteger({ name: "batch", default: 16, help: "windows per evaluation batch" }),
    positiveInteger({
      name: "stride",
      help: "sliding-window stride S: every scored token has ≥ T − S tokens of context (default T/2)",
    }),
    DIAL_FLAG,
    SCHEDULE_FLAG,
    RULES_FLAG,
    { name: "json", kind: "boolean", help: "print JSON instead of a table" },
    THREADS_FLAG,
  ],
  async run({ flags }) {
    const dir = requireFlag(flags, "model", "localist eval");
    const model = LocalistModel.open(dir);
    let result;
    let baselines;
    const split = flags.split as "valid" | "test";
    try {
      const stride = flags.stride as number | undefined;
      if (stride !== undefined && stride > model.config.context)
        throw new UsageError(
          `--stride must be at most the model's context ${model.config.context}, got ${stride}`,
        );
      const dial = dialFromFlags(flags, model);
      const rules = rulesFromFlags(flags, model);
      const ids = model.split(split);
      const blocks = model.splitBlocks(split);
      const progress = createProgress({ total: 1, label: "eval" });
      result = await model.evaluate(ids, {
        ...(blocks ? { blocks } : {}),
        batch: flags.batch as number,
        stride,
        dial,
        rules,
        onBatch: (done, total) => progress.update(done / total),
      });
      progress.finish();
      baselines = model.baselines(ids);
    } finally {
      model.dispose();
    }
    const report = {
      model: dir,
      split,
      tokens: result.tokens,
      perplexity: result.perplexity,
      accuracy: result.accuracy,
      loss: result.loss,
      baselines,
    };
    if (flags.json) return JSON.stringify(report, null, 2);
    return [
      `${split} split of ${model.corpus.corpus}: ${result.tokens} predicted tokens`,
      `| model | perplexity | accuracy |`,
      `|---|---|---|`,
      `| ${dir} | ${result.perplexity.toFixed(2)} | ${(100 * result.accuracy).toFixed(2)}% |`,
      `| unigram (add-one) | ${baselines.unigram.toFixed(2)} | |`,
      `| bigram (interpolated, λ = ${baselines.bigramLambda}) | ${baselines.bigram.toFixed(2)} | |`,
    ].join("\n");
  },
};

export const GENERATE: Command = {
  summary: "continue a prompt with a trained model",
  usage: "localist generate --model DIR --prompt TEXT [options]",
  description: "Continue a prompt with a trained language model.",
  flags: [
    { name: "model", kind: "string", value: "DIR", help: "a trained model folder (required)" },
    { name: "prompt", kind: "string", value: "TEXT", help: "text to continue (required)" },
    {
      name: "tokens",
      kind: "integer",
      constraint: NON_NEGATIVE,
      default: 30,
      help: "tokens to generate",
    },
    {
      name: "temperature",
      kind: "number",
      constraint: NON_NEGATIVE,
      default: 1,
      help: "sampling temperature (0 = greedy)",
    },
    {
      name: "top-k",
      kind: "integer",
      constraint: NON_NEGATIVE,
      default: 0,
      help: "sample among the k most likely tokens (0 = all)",
    },
    seedFlag(0, "sampling seed"),
    DIAL_FLAG,
    SCHEDULE_FLAG,
    RULES_FLAG,
  ],
  run({ flags }, out) {
    const dir = requireFlag(flags, "model", "localist generate");
    const prompt = requireFlag(flags, "prompt", "localist generate");
    const model = LocalistModel.open(dir);
    try {
      const promptIds = model.encode(prompt);
      if (promptIds.length === 0)
        throw new UsageError("the prompt has no tokens; give some text with --prompt");
      // Bad flags or rules are refused before anything is printed.
      const dial = dialFromFlags(flags, model);
      const rules = rulesFromFlags(flags, model);
      // Each token is printed as it is drawn: words spaced, <eos> a line break; BPE and character
      // tokens are text already (BPE's bytes joined across tokens, so a character split between
      // two tokens prints whole).
      const { tokenizer } = model;
      const spaced = tokenizer.kind === "word";
      const decodeNext =
        tokenizer.kind === "bpe"
          ? tokenizer.streamDecoder()
          : (id: number) => model.decode([id])[0];
      let space = spaced;
      out(prompt);
      model.generate(promptIds, {
        tokens: flags.tokens as number,
        dial,
        rules,
        temperature: flags.temperature as number,
        topK: flags["top-k"] as number,
        seed: flags.seed as number,
        onToken: (id) => {
          if (id === EOS_ID) {
            out("\n");
            space = false;
            return;
          }
          const text = decodeNext(id);
          out(`${space ? " " : ""}${text}`);
          space = spaced;
        },
      });
    } finally {
      model.dispose();
    }
  },
};
