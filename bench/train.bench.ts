/**
 * Benchmark: training throughput (tokens per second) of localist's transformer language model on
 * @jax-js/jax (Wasm) against the same model in PyTorch (CPU), same batches, same run.
 *
 *   npm run build && node dist/bench/train.bench.js [--steps S] [--batch B] [--context T]
 *     [--layers L] [--d-model D] [--heads H] [--vocab V] [--python PATH] [--json]
 *
 * The Brown corpus is loaded and tokenized (words, lowercased) with loadLmCorpus; the S batches
 * that the localist trainer will draw (sampleBatch, seed 1, steps 0 … S−1) are drawn here too and
 * written to a temporary little-endian int32 file (per step: B·T inputs, then B·T targets) that
 * the peer, bench/train_torch.py, trains on. localist is run through trainLanguageModel itself
 * (src/train/trainer.ts) with a temporary output folder; its per-step times come from the
 * cumulative `seconds` field of the metrics.jsonl it writes. Both sides leave the first 2 steps
 * (jit compilation, allocator warm-up) out of the rate.
 */
import { runPythonPeer } from "./peer.js";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { initEngine } from "../src/engine/engine.js";
import { loadLmCorpus } from "../src/data/lmCorpus.js";
import { validateModelConfig, type ModelConfig } from "../src/model/config.js";
import { sampleBatch } from "../src/train/batches.js";
import type { TrainSettings } from "../src/train/settings.js";
import { trainLanguageModel, type TrainingData } from "../src/train/languageModel.js";

/** Steps left out of the rate on both sides (the first includes jit compilation). */
const WARM_UP_STEPS = 2;

interface Options {
  steps: number;
  batch: number;
  context: number;
  layers: number;
  dModel: number;
  heads: number;
  vocab: number;
  python: string;
  json: boolean;
}

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      steps: { type: "string", default: "20" },
      batch: { type: "string", default: "16" },
      context: { type: "string", default: "64" },
      layers: { type: "string", default: "2" },
      "d-model": { type: "string", default: "128" },
      heads: { type: "string", default: "4" },
      vocab: { type: "string", default: "10000" },
      python: { type: "string", default: "/usr/bin/python3" },
      json: { type: "boolean", default: false },
    },
  });
  const integer = (name: string, text: string | undefined, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`--${name} must be an integer ≥ ${min}, got ${String(text)}`);
    }
    return value;
  };
  return {
    steps: integer("steps", values.steps, WARM_UP_STEPS + 1),
    batch: integer("batch", values.batch, 1),
    context: integer("context", values.context, 1),
    layers: integer("layers", values.layers, 1),
    dModel: integer("d-model", values["d-model"], 1),
    heads: integer("heads", values.heads, 1),
    vocab: integer("vocab", values.vocab, 3),
    python: values.python ?? "/usr/bin/python3",
    json: values.json ?? false,
  };
}

function progress(message: string): void {
  process.stderr.write(`[train.bench] ${message}\n`);
}

interface SideResult {
  tokensPerSecond: number;
  msPerStep: number;
  /** Cumulative seconds after each step. */
  seconds: number[];
  losses: number[];
}

interface PeerResult extends SideResult {
  timedSteps: number;
  warmUpSteps: number;
  gradNorms: number[];
  parameters: number;
  attention: string;
  threads: number;
  interopThreads: number;
  torch: string;
}

/** Rate over the steps after the warm-up, from cumulative per-step times. */
function rate(seconds: number[], batch: number, context: number): [number, number] {
  const steps = seconds.length - WARM_UP_STEPS;
  const elapsed = seconds[seconds.length - 1] - seconds[WARM_UP_STEPS - 1];
  return [(steps * batch * context) / elapsed, (1000 * elapsed) / steps];
}

/** Writes each step's inputs then targets as little-endian int32. */
function writeBatches(path: string, train: Int32Array, options: Options): void {
  const { steps, batch, context } = options;
  const perStep = 2 * batch * context;
  const view = new DataView(new ArrayBuffer(steps * perStep * 4));
  let offset = 0;
  for (let step = 0; step < steps; step++) {
    const { inputs, targets } = sampleBatch(train, batch, context, 1, step);
    for (const part of [inputs, targets]) {
      for (const id of part) {
        view.setInt32(offset, id, true);
        offset += 4;
      }
    }
  }
  writeFileSync(path, new Uint8Array(view.buffer));
}

function runLocalist(
  config: Readonly<ModelConfig>,
  settings: TrainSettings,
  data: TrainingData,
  out: string,
): SideResult {
  trainLanguageModel({ config, settings, data }, { out, progress: null, validWindows: 1 });
  const records = readFileSync(join(out, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map(
      (line) => JSON.parse(line) as { step: number; split?: string; loss: number; seconds: number },
    )
    .filter((record) => record.split === undefined)
    .sort((a, b) => a.step - b.step);
  if (records.length !== settings.steps) {
    throw new Error(`metrics.jsonl has ${records.length} step records, expected ${settings.steps}`);
  }
  const seconds = records.map((r) => r.seconds);
  const [tokensPerSecond, msPerStep] = rate(seconds, settings.batch, config.context);
  return { tokensPerSecond, msPerStep, seconds, losses: records.map((r) => r.loss) };
}

function runPeer(options: Options, config: Readonly<ModelConfig>, path: string): PeerResult {
  const script = fileURLToPath(new URL("../../bench/train_torch.py", import.meta.url));
  const args = [
    script,
    path,
    ...["--steps", String(options.steps), "--batch", String(options.batch)],
    ...["--context", String(config.context), "--layers", String(config.layers)],
    ...["--d-model", String(config.dModel), "--heads", String(config.heads)],
    ...["--d-mlp", String(config.dMlp), "--vocab", String(config.vocabSize)],
    ...["--lr", "3e-3", "--warmup", "5", "--weight-decay", "0.1", "--clip", "1", "--seed", "1"],
    ...["--warm-up-steps", String(WARM_UP_STEPS)],
  ];
  return runPythonPeer<PeerResult>(
    options.python,
    args,
    "PyTorch: apt-get install -y python3-torch libopenblas0-pthread",
  );
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "—";
}

async function main(): Promise<void> {
  const options = readOptions();
  const { steps, batch, context } = options;
  progress("loading the Brown corpus (word tokenizer)…");
  const corpus = loadLmCorpus({
    corpus: "brown",
    tokenizer: "word",
    maxVocab: options.vocab,
    minCount: 1,
    lowercase: true,
  });
  const config = validateModelConfig({
    vocabSize: corpus.tokenizer.vocabSize,
    context,
    layers: options.layers,
    heads: options.heads,
    dModel: options.dModel,
    dMlp: 4 * options.dModel,
    attention: { kind: "global" },
    positional: "learned",
    strict: false,
  });
  const settings: TrainSettings = {
    steps,
    batch,
    learningRate: 3e-3,
    warmup: 5,
    seed: 1,
    weightDecay: 0.1,
    clipNorm: 1,
    checkpointEvery: steps + 1,
  };
  const shape =
    `${config.layers} layers × d ${config.dModel} (${config.heads} heads, MLP ${config.dMlp}), ` +
    `vocabulary ${config.vocabSize}, ${steps} steps of ${batch} × ${context} tokens`;
  progress(`${shape}; ${corpus.train.length} training tokens`);

  const folder = mkdtempSync(join(tmpdir(), "localist-train-bench-"));
  let localist: SideResult;
  let peer: PeerResult;
  try {
    const batches = join(folder, "batches.i32");
    writeBatches(batches, corpus.train, options);
    await initEngine();
    progress(`localist (trainLanguageModel, jax-js Wasm) training ${steps} steps…`);
    const data = {
      ...corpus,
      corpus: {
        corpus: "brown",
        tokenizer: "word",
        maxVocab: options.vocab,
        minCount: 1,
        lowercase: true,
      } as const,
    };
    localist = runLocalist(config, settings, data, join(folder, "out"));
    progress(
      `localist done: ${fixed(localist.msPerStep, 1)} ms/step, ${fixed(localist.tokensPerSecond, 0)} tokens/s`,
    );
    progress(`PyTorch peer (${options.python} bench/train_torch.py) training ${steps} steps…`);
    peer = runPeer(options, config, batches);
    progress(
      `PyTorch done: ${fixed(peer.msPerStep, 1)} ms/step, ${fixed(peer.tokensPerSecond, 0)} tokens/s`,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }

  const chance = Math.log(config.vocabSize);
  const nearChance = (loss: number) => Math.abs(loss - chance) < 0.5;
  const firstOk = nearChance(localist.losses[0]) && nearChance(peer.losses[0]);
  if (!firstOk) process.exitCode = 1;

  if (options.json) {
    console.log(
      JSON.stringify(
        {
          command: `node dist/bench/train.bench.js ${process.argv.slice(2).join(" ")}`.trim(),
          config,
          settings,
          warmUpSteps: WARM_UP_STEPS,
          node: process.version,
          localist,
          pytorch: peer,
          ratio: {
            tokensPerSecond: localist.tokensPerSecond / peer.tokensPerSecond,
            msPerStep: localist.msPerStep / peer.msPerStep,
          },
          lnVocab: chance,
          firstLossesNearLnVocab: firstOk,
        },
        null,
        2,
      ),
    );
    return;
  }

  const last = steps - 1;
  const lines = [
    `${shape}; AdamW lr 3e-3 (warm-up 5, cosine), weight decay 0.1, clip 1; ` +
      `rate over steps ${WARM_UP_STEPS + 1}–${steps}; Node ${process.version}, torch ${peer.torch} ` +
      `(${peer.threads} thread${peer.threads === 1 ? "" : "s"}, attention ${peer.attention})`,
    "",
    `| | localist (jax-js Wasm) | PyTorch (CPU, ${peer.threads} thread${peer.threads === 1 ? "" : "s"}) | ratio (localist / PyTorch) |`,
    "| --- | ---: | ---: | ---: |",
    `| ms/step | ${fixed(localist.msPerStep, 1)} | ${fixed(peer.msPerStep, 1)} | ${fixed(localist.msPerStep / peer.msPerStep, 2)} |`,
    `| tokens/s | ${fixed(localist.tokensPerSecond, 0)} | ${fixed(peer.tokensPerSecond, 0)} | ${fixed(localist.tokensPerSecond / peer.tokensPerSecond, 3)} |`,
    `| loss at step 1 (ln V = ${chance.toFixed(2)}) | ${fixed(localist.losses[0], 3)} | ${fixed(peer.losses[0], 3)} | — |`,
    `| loss at step ${steps} | ${fixed(localist.losses[last], 3)} | ${fixed(peer.losses[last], 3)} | — |`,
  ];
  if (!firstOk) {
    lines.push("", `A first-step loss is more than 0.5 from ln V = ${chance.toFixed(3)}.`);
  }
  console.log(lines.join("\n"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
