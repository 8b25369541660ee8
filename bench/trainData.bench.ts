/**
 * Training on a large prepared folder in flat memory: writes about `--mb` MB (default 200) of
 * Brown paragraphs to a temporary folder (./brownText.ts), prepares it as `localist prepare` does
 * (BPE, 8,192 tokens), then trains a small model on the folder for `--steps` steps in a child
 * process, which samples its memory (process.memoryUsage) every `--every` steps. Training reads
 * only its batches' windows from the token files, so resident memory should be the same at the
 * last step as at step 10: the table prints both, the peak (process.resourceUsage().maxRSS) and
 * every sample. `--data DIR` trains on a folder prepared already instead.
 *
 *   npm run build && node dist/bench/trainData.bench.js [--mb 200 | --data DIR] [--steps 400]
 *     [--every 10] [--blocks none|tagger]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { taggerLabels } from "../src/data/tokenBlocks.js";
import { prepareCorpus } from "../src/io/prepareCorpus.js";
import { LocalistModel } from "../src/lm/node.js";
import type { TrainingSpec } from "../src/lm/trainingSpec.js";
import { smallBrownModel } from "./brownRuns.js";
import { writeBrownText } from "./brownText.js";

const MiB = 2 ** 20;

const { values } = parseArgs({
  options: {
    mb: { type: "string", default: "200" },
    data: { type: "string" },
    steps: { type: "string", default: "400" },
    every: { type: "string", default: "10" },
    blocks: { type: "string", default: "none" },
    child: { type: "boolean", default: false },
    out: { type: "string" },
  },
});
const steps = Number(values.steps);
const every = Number(values.every);

/** One memory sample of the training process, in MiB. */
interface Sample {
  step: number;
  rss: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

function sample(step: number): Sample {
  const m = process.memoryUsage();
  return {
    step,
    rss: m.rss / MiB,
    heapUsed: m.heapUsed / MiB,
    external: m.external / MiB,
    arrayBuffers: m.arrayBuffers / MiB,
  };
}

/** The measured process: trains on the folder, sampling memory every `every` steps. */
async function child(data: string, out: string): Promise<void> {
  const blocks = values.blocks === "tagger";
  // The experiments' small model (bench/brownRuns.ts) on the folder: BPE, context 64.
  const small = smallBrownModel(steps, 1);
  const spec: TrainingSpec = {
    ...small,
    corpus: { corpus: data, tokenizer: "bpe", maxVocab: 8192, minCount: 1, lowercase: false },
    data,
    model: { ...small.model, context: 64 },
    ...(blocks
      ? {
          localist: {
            blocks: "data",
            margin: 8,
            training: { penalty: 0.1, dial: { range: [0, 1] }, schedule: "uniform" },
          },
        }
      : {}),
  };
  const samples: Sample[] = [sample(0)];
  const began = performance.now();
  await LocalistModel.train(spec, {
    out,
    progress: null,
    validWindows: 50,
    onStep: (step) => {
      if (step % every === 0 || step === steps) samples.push(sample(step));
    },
  });
  const seconds = (performance.now() - began) / 1000;
  samples.push({ ...sample(steps), step: -1 }); // after the final validation
  console.log(
    JSON.stringify({ samples, seconds, maxRssMiB: process.resourceUsage().maxRSS / 1024 }),
  );
}

/** Prepares the text (unless --data), runs the child, and prints the table. */
function main(): void {
  const folder = mkdtempSync(join(tmpdir(), "localist-train-data-bench-"));
  try {
    let data = values.data;
    if (data === undefined) {
      const corpus = join(folder, "corpus.txt");
      const size = writeBrownText(corpus, Number(values.mb));
      data = join(folder, "data");
      const began = performance.now();
      const prepared = prepareCorpus({
        corpus,
        out: data,
        tokenizer: "bpe",
        maxVocab: 8192,
        blocks: values.blocks === "tagger" ? taggerLabels() : "none",
      });
      rmSync(corpus);
      const tokens = prepared.manifest.splits.train.tokens;
      console.log(
        `prepared ${(size / 1e6).toFixed(1)} MB of text in ${((performance.now() - began) / 1000).toFixed(0)} s: ${tokens} training tokens`,
      );
    }
    const result = spawnSync(
      process.execPath,
      [
        fileURLToPath(import.meta.url),
        "--child",
        "--data",
        data,
        "--out",
        join(folder, "model"),
        "--steps",
        String(steps),
        "--every",
        String(every),
        "--blocks",
        String(values.blocks),
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 16 << 20 },
    );
    if (result.status !== 0) throw new Error(`training failed with exit ${result.status}`);
    const r = JSON.parse(result.stdout) as {
      samples: Sample[];
      seconds: number;
      maxRssMiB: number;
    };
    const at = (step: number) => r.samples.find((s) => s.step === step) as Sample;
    const first = at(Math.min(10, steps));
    const last = at(steps);
    console.log(
      `trained ${steps} steps (2×64, context 64, batch 16, vocabulary 8192) in ${r.seconds.toFixed(0)} s`,
    );
    console.log("| | RSS MiB | heap used MiB | external MiB | array buffers MiB |");
    console.log("|---|---|---|---|---|");
    const row = (name: string, s: Sample) =>
      console.log(
        `| ${name} | ${s.rss.toFixed(0)} | ${s.heapUsed.toFixed(0)} | ${s.external.toFixed(0)} | ${s.arrayBuffers.toFixed(0)} |`,
      );
    row("before training", at(0));
    row(`step ${first.step}`, first);
    row(`step ${last.step}`, last);
    row("after validation", at(-1));
    console.log(
      `peak RSS ${r.maxRssMiB.toFixed(0)} MiB; RSS at step ${last.step} − step ${first.step}: ${(last.rss - first.rss).toFixed(1)} MiB`,
    );
    console.log(
      `every sample (step: RSS MiB): ${r.samples
        .filter((s) => s.step > 0)
        .map((s) => `${s.step}: ${s.rss.toFixed(0)}`)
        .join(", ")}`,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

if (values.child) await child(values.data as string, values.out as string);
else main();
