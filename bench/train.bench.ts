/**
 * Benchmark: training throughput (tokens per second) of localist's transformer language model on
 * @jax-js/jax (Wasm) against the same model in PyTorch (CPU), same batches, same run.
 *
 *   npm run build && node dist/bench/train.bench.js [--steps S] [--batch B] [--context T]
 *     [--layers L] [--d-model D] [--heads H] [--vocab V] [--threads 2,1] [--torch-threads 1,2]
 *     [--allocators libc,jemalloc] [--jemalloc PATH] [--no-tfjs] [--python PATH] [--json]
 *
 * The Brown corpus is loaded and tokenized (words, lowercased) with loadLmCorpus; the S batches
 * that the localist trainer will draw (sampleBatch, seed 1, steps 0 … S−1) are drawn here too and
 * written to a temporary little-endian int32 file (per step: B·T inputs, then B·T targets) that
 * the peer, bench/train_torch.py, trains on. localist is run through trainLanguageModel itself
 * (src/train/languageModel.ts) with a temporary output folder, once per thread count in --threads
 * (default: the machine's cores, then 1), each in a child process of its own since the engine's
 * thread count is fixed per process; its per-step times come from the cumulative `seconds` field
 * of the metrics.jsonl it writes. PyTorch runs once per count in --torch-threads
 * (torch.set_num_threads). Both sides leave the first 2 steps (jit compilation, allocator
 * warm-up) out of the rate. The ratios: localist at its default against PyTorch at its best
 * count, and both pinned to one thread.
 *
 * Every side runs under each allocator in --allocators: the C library's malloc, and jemalloc
 * keeping every page it has touched (LD_PRELOAD of Debian's libjemalloc2 with MALLOC_CONF
 * dirty_decay_ms:-1,muzzy_decay_ms:-1,retain:true). On these VMs a first touch of fresh memory
 * (a minor page fault) is expensive, and glibc hands large blocks back to the kernel after each
 * use, so PyTorch, which allocates its tensors afresh every step, is several times faster with
 * its pages kept: the peer at its best is the faster of the two. Each side reports its minor page
 * faults per timed step (getrusage for the whole process, threads included).
 *
 * The second peer is the best engine of localist's own runtime: the same model trained with
 * TensorFlow.js on its Wasm backend (XNNPACK), bench/train_tfjs.ts, under each allocator too
 * (--no-tfjs leaves it out). It runs on one thread, as TensorFlow.js's Wasm backend does in Node.
 */
import "../src/engine/threads.js"; // before jax-js: the compute threads
import { lastJsonLine, runNodePeer, runPythonPeer } from "./peer.js";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { initEngine, machineCores } from "../src/engine/engine.js";
import { loadLmCorpus, type LmCorpus } from "../src/data/lmCorpus.js";
import { validateModelConfig, type ModelConfig } from "../src/model/config.js";
import { sampleBatch } from "../src/train/batches.js";
import type { TrainSettings } from "../src/train/settings.js";
import { trainLanguageModel, type TrainingData } from "../src/train/languageModel.js";

/** Steps left out of the rate on both sides (the first includes jit compilation). */
const WARM_UP_STEPS = 2;

/** Debian's libjemalloc2 (apt-get install -y libjemalloc2). */
const DEBIAN_JEMALLOC = "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2";
/** jemalloc never returns a page it has touched to the kernel. */
const KEEP_PAGES = "dirty_decay_ms:-1,muzzy_decay_ms:-1,retain:true";

type Allocator = "libc" | "jemalloc";

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
  /** localist's thread counts, one child process each. */
  threads: number[];
  torchThreads: number[];
  allocators: Allocator[];
  jemalloc: string;
  /** Whether TensorFlow.js (Wasm) runs as a second peer. */
  tfjs: boolean;
  /** Internal: this process is the localist side of one thread count (prints one JSON line). */
  side?: "localist";
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
      threads: { type: "string", default: `${machineCores()},1` },
      "torch-threads": { type: "string", default: "1,2" },
      allocators: { type: "string" },
      jemalloc: { type: "string", default: DEBIAN_JEMALLOC },
      "no-tfjs": { type: "boolean", default: false },
      side: { type: "string" },
    },
  });
  const counts = (name: string, text: string): number[] => {
    const list = [...new Set(text.split(",").map(Number))];
    if (list.some((n) => !Number.isInteger(n) || n < 1))
      throw new Error(`--${name} must be a comma-separated list of positive integers, got ${text}`);
    return list;
  };
  const integer = (name: string, text: string | undefined, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`--${name} must be an integer ≥ ${min}, got ${String(text)}`);
    }
    return value;
  };
  const jemalloc = values.jemalloc ?? DEBIAN_JEMALLOC;
  const allocators = (values.allocators ?? (existsSync(jemalloc) ? "libc,jemalloc" : "libc"))
    .split(",")
    .map((name) => {
      if (name !== "libc" && name !== "jemalloc") {
        throw new Error(`--allocators takes libc and jemalloc, got ${name}`);
      }
      return name;
    });
  if (allocators.includes("jemalloc") && !existsSync(jemalloc)) {
    throw new Error(`${jemalloc} not found: apt-get install -y libjemalloc2, or --jemalloc PATH`);
  }
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
    threads: counts("threads", values.threads as string),
    torchThreads: counts("torch-threads", values["torch-threads"] as string),
    allocators: [...new Set(allocators)],
    jemalloc,
    tfjs: !(values["no-tfjs"] ?? false),
    ...(values.side === "localist" ? { side: "localist" as const } : {}),
  };
}

function progress(message: string): void {
  process.stderr.write(`[train.bench] ${message}\n`);
}

interface SideResult {
  threads: number;
  tokensPerSecond: number;
  msPerStep: number;
  /** Cumulative seconds after each step. */
  seconds: number[];
  losses: number[];
  /** Minor page faults (first touches of fresh memory) per timed step, whole process. */
  minorFaultsPerStep: number;
  /** Set by the parent: the allocator the process ran with. */
  allocator?: Allocator;
}

interface PeerResult extends SideResult {
  timedSteps: number;
  warmUpSteps: number;
  gradNorms: number[];
  parameters: number;
  threads: number;
}

interface TorchResult extends PeerResult {
  attention: string;
  interopThreads: number;
  torch: string;
}

interface TfjsResult extends PeerResult {
  backend: string;
  tfjs: string;
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

async function runLocalist(
  config: Readonly<ModelConfig>,
  settings: TrainSettings,
  data: TrainingData,
  out: string,
): Promise<SideResult> {
  const faults: number[] = [];
  const onStep = () => faults.push(process.resourceUsage().minorPageFault);
  await trainLanguageModel(
    { config, settings, data },
    { out, progress: null, validWindows: 1, onStep },
  );
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
  return {
    threads: 0, // set by the caller
    tokensPerSecond,
    msPerStep,
    seconds,
    losses: records.map((r) => r.loss),
    minorFaultsPerStep:
      (faults[faults.length - 1] - faults[WARM_UP_STEPS - 1]) / (faults.length - WARM_UP_STEPS),
  };
}

/** The arguments both peers take: the batches file, the model, the optimizer, the warm-up. */
function peerArguments(options: Options, config: Readonly<ModelConfig>, path: string): string[] {
  return [
    path,
    ...["--steps", String(options.steps), "--batch", String(options.batch)],
    ...["--context", String(config.context), "--layers", String(config.layers)],
    ...["--d-model", String(config.dModel), "--heads", String(config.heads)],
    ...["--d-mlp", String(config.dMlp), "--vocab", String(config.vocabSize)],
    ...["--lr", "3e-3", "--warmup", "5", "--weight-decay", "0.1", "--clip", "1", "--seed", "1"],
    ...["--warm-up-steps", String(WARM_UP_STEPS)],
  ];
}

function runTorchPeer(
  options: Options,
  config: Readonly<ModelConfig>,
  path: string,
  threads: number,
  allocator: Allocator,
): TorchResult {
  const script = fileURLToPath(new URL("../../bench/train_torch.py", import.meta.url));
  const result = runPythonPeer<TorchResult>(
    options.python,
    [script, ...peerArguments(options, config, path), "--threads", String(threads)],
    "PyTorch: apt-get install -y python3-torch libopenblas0-pthread",
    allocatorEnvironment(allocator, options.jemalloc),
  );
  return { ...result, allocator };
}

/** TensorFlow.js on its Wasm backend, which runs on one thread in Node (tfjs issue #3830). */
function runTfjsPeer(
  options: Options,
  config: Readonly<ModelConfig>,
  path: string,
  allocator: Allocator,
): TfjsResult {
  const script = fileURLToPath(new URL("./train_tfjs.js", import.meta.url));
  const result = runNodePeer<TfjsResult>(
    script,
    peerArguments(options, config, path),
    "TensorFlow.js: npm install (the @tensorflow/tfjs and tfjs-backend-wasm dev dependencies)",
    allocatorEnvironment(allocator, options.jemalloc),
  );
  return { ...result, allocator };
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "—";
}

const CORPUS = (vocab: number) =>
  ({ corpus: "brown", tokenizer: "word", maxVocab: vocab, minCount: 1, lowercase: true }) as const;

function modelOf(options: Options, corpus: LmCorpus) {
  const config = validateModelConfig({
    vocabSize: corpus.tokenizer.vocabSize,
    context: options.context,
    layers: options.layers,
    heads: options.heads,
    dModel: options.dModel,
    dMlp: 4 * options.dModel,
    attention: { kind: "global" },
    positional: "learned",
    strict: false,
  });
  const settings: TrainSettings = {
    steps: options.steps,
    batch: options.batch,
    learningRate: 3e-3,
    warmup: 5,
    seed: 1,
    weightDecay: 0.1,
    clipNorm: 1,
    checkpointEvery: options.steps + 1,
  };
  return { config, settings };
}

/** The localist side on one thread count, in this process: one JSON line on stdout. */
async function localistSide(options: Options): Promise<void> {
  const corpus = loadLmCorpus(CORPUS(options.vocab));
  const { config, settings } = modelOf(options, corpus);
  const threads = options.threads[0];
  await initEngine({ threads });
  const folder = mkdtempSync(join(tmpdir(), "localist-train-bench-"));
  try {
    const data = { ...corpus, corpus: CORPUS(options.vocab) };
    const result = await runLocalist(config, settings, data, join(folder, "out"));
    console.log(JSON.stringify({ ...result, threads }));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

/** The environment of a child process that runs with `allocator`. */
function allocatorEnvironment(allocator: Allocator, jemalloc: string): NodeJS.ProcessEnv {
  if (allocator === "libc") return process.env;
  return { ...process.env, LD_PRELOAD: jemalloc, MALLOC_CONF: KEEP_PAGES };
}

/** Runs this script as the localist side on `threads` threads in a child process. */
function runLocalistChild(threads: number, allocator: Allocator, jemalloc: string): SideResult {
  const self = fileURLToPath(import.meta.url);
  // The model's flags pass through; the thread lists and --json are this process's own.
  const args: string[] = [];
  const own = ["--threads", "--torch-threads", "--python", "--allocators", "--jemalloc"];
  // (--no-tfjs is a boolean: it passes through, and the localist side ignores it)
  for (let i = 2; i < process.argv.length; i++) {
    const arg = process.argv[i];
    if (arg === "--json" || own.some((flag) => arg.startsWith(`${flag}=`))) continue;
    if (own.includes(arg)) i++;
    else args.push(arg);
  }
  const run = spawnSync(
    process.execPath,
    [self, ...args, "--side", "localist", "--threads", String(threads)],
    {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 1 << 24,
      env: allocatorEnvironment(allocator, jemalloc),
    },
  );
  const result = run.status === 0 ? lastJsonLine<SideResult>(run.stdout) : undefined;
  if (!result) {
    throw new Error(
      `the localist side on ${threads} thread(s), ${allocator}, failed (${run.status})`,
    );
  }
  return { ...result, allocator };
}

const summary = (r: SideResult): string =>
  `${fixed(r.msPerStep, 1)} ms/step, ${fixed(r.tokensPerSecond, 0)} tokens/s, ` +
  `${fixed(r.minorFaultsPerStep, 0)} minor page faults/step`;

/** The fastest of `results` (undefined when there are none). */
const best = <T extends SideResult>(results: T[]): T | undefined =>
  results.length === 0
    ? undefined
    : results.reduce((a, b) => (b.tokensPerSecond > a.tokensPerSecond ? b : a));

async function main(): Promise<void> {
  const options = readOptions();
  if (options.side === "localist") return localistSide(options);
  const { steps, batch, context } = options;
  progress("loading the Brown corpus (word tokenizer)…");
  const corpus = loadLmCorpus(CORPUS(options.vocab));
  const { config, settings } = modelOf(options, corpus);
  const shape =
    `${config.layers} layers × d ${config.dModel} (${config.heads} heads, MLP ${config.dMlp}), ` +
    `vocabulary ${config.vocabSize}, ${steps} steps of ${batch} × ${context} tokens`;
  progress(`${shape}; ${corpus.train.length} training tokens`);

  const folder = mkdtempSync(join(tmpdir(), "localist-train-bench-"));
  const localist: SideResult[] = [];
  const peers: TorchResult[] = [];
  const tfjs: TfjsResult[] = [];
  try {
    const batches = join(folder, "batches.i32");
    writeBatches(batches, corpus.train, options);
    for (const allocator of options.allocators) {
      for (const threads of options.threads) {
        progress(`localist (jax-js Wasm, ${threads} thread(s), ${allocator}) ${steps} steps…`);
        const result = runLocalistChild(threads, allocator, options.jemalloc);
        localist.push(result);
        progress(`localist done: ${summary(result)}`);
      }
      for (const threads of options.torchThreads) {
        progress(`PyTorch peer (${options.python}, ${threads} thread(s), ${allocator})…`);
        const result = runTorchPeer(options, config, batches, threads, allocator);
        peers.push(result);
        progress(`PyTorch done: ${summary(result)}`);
      }
      if (options.tfjs) {
        progress(`TensorFlow.js peer (Wasm backend, 1 thread, ${allocator})…`);
        const result = runTfjsPeer(options, config, batches, allocator);
        tfjs.push(result);
        progress(`TensorFlow.js done: ${summary(result)}`);
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }

  const chance = Math.log(config.vocabSize);
  const nearChance = (loss: number) => Math.abs(loss - chance) < 0.5;
  const firstOk = [...localist, ...peers, ...tfjs].every((r) => nearChance(r.losses[0]));
  if (!firstOk) process.exitCode = 1;
  // localist as a user runs it (its default threads, the C library's allocator) against each
  // peer at its best over threads and allocators; on one thread, each at its best allocator.
  const defaultThreads = options.threads[0];
  const atDefault = localist.find((r) => r.threads === defaultThreads && r.allocator === "libc");
  const localistUnder = (allocator: Allocator) =>
    localist.find((r) => r.threads === defaultThreads && r.allocator === allocator);
  const bestPeer = best(peers);
  const single = best(localist.filter((r) => r.threads === 1));
  const singlePeer = best(peers.filter((r) => r.threads === 1));
  const ratio = (a: SideResult | undefined, b: SideResult | undefined) =>
    a && b ? a.tokensPerSecond / b.tokensPerSecond : NaN;
  const ratios = {
    defaultAgainstBest: ratio(atDefault ?? localist[0], bestPeer),
    oneThread: ratio(single, singlePeer),
    /** localist at its default against TensorFlow.js (Wasm, one thread) at its best allocator. */
    defaultAgainstTfjs: ratio(atDefault ?? localist[0], best(tfjs)),
    /** Both engines of the same runtime on one thread. */
    oneThreadAgainstTfjs: ratio(single, best(tfjs)),
    /** localist's own jemalloc / libc tokens/s at its default threads: 1 when it pays no tax. */
    localistJemallocOverLibc: ratio(localistUnder("jemalloc"), localistUnder("libc")),
  };

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
          pytorch: peers,
          tensorflowJs: tfjs,
          ratio: ratios,
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
  const row = (name: string, r: SideResult) =>
    `| ${name} | ${r.threads} | ${r.allocator} | ${fixed(r.msPerStep, 1)} | ${fixed(r.tokensPerSecond, 0)} | ${fixed(r.minorFaultsPerStep, 0)} | ${fixed(r.losses[0], 3)} | ${fixed(r.losses[last], 3)} |`;
  const who = (r: SideResult | undefined) => (r ? `${r.threads} thread(s), ${r.allocator}` : "—");
  const lines = [
    `${shape}; AdamW lr 3e-3 (warm-up 5, cosine), weight decay 0.1, clip 1; ` +
      `rate over steps ${WARM_UP_STEPS + 1}–${steps}; Node ${process.version}, torch ${peers[0].torch} ` +
      `(attention ${peers[0].attention})`,
    "",
    `| side | threads | allocator | ms/step | tokens/s | minor page faults/step | loss at step 1 (ln V = ${chance.toFixed(2)}) | loss at step ${steps} |`,
    "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ...localist.map((r) => row("localist (jax-js Wasm)", r)),
    ...peers.map((r) => row("PyTorch (CPU)", r)),
    ...tfjs.map((r) => row("TensorFlow.js (Wasm, XNNPACK)", r)),
    "",
    `localist at its default (${who(atDefault)}) / PyTorch at its best (${who(bestPeer)}): ` +
      `**${fixed(ratios.defaultAgainstBest, 2)}** in tokens/s; both on one thread, each at its best ` +
      `allocator: **${fixed(ratios.oneThread, 2)}**.`,
    ...(tfjs.length > 0
      ? [
          `localist at its default / TensorFlow.js at its best (${who(best(tfjs))}): ` +
            `**${fixed(ratios.defaultAgainstTfjs, 2)}**; both on one thread: ` +
            `**${fixed(ratios.oneThreadAgainstTfjs, 2)}**.`,
        ]
      : []),
    `localist's own tokens/s under jemalloc / under the C library's malloc (${defaultThreads} thread(s)): ` +
      `**${fixed(ratios.localistJemallocOverLibc, 2)}**.`,
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
