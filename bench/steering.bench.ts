/**
 * The steering benchmark (experiments/steering.ts): train a small model on associative recall
 * (or take a trained one), then sweep PASTA's α for the rule that points each repeated key at the
 * token after its earlier occurrence; print accuracy, perplexity, pointer fidelity and the
 * certified bound at each α, and write the plot.
 *
 *   npm run build && node dist/bench/steering.bench.js [--out bench-steering] [--model DIR]
 *     [--steps 3000] [--alphas 1,0.5,…] [--plot docs/steering.svg] [--fixture DIR]
 *
 * With --model fixtures/recall-model it sweeps the checked-in model instead of training one.
 * --fixture DIR saves the trained model without its optimizer state (the test fixture).
 * --seeds 1,2,3 trains one model per training seed (the recall data stay those of seed 1) into
 * --out/seed-S/model, reusing a finished one, and prints each sweep and the mean ± sd over seeds.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { initEngine } from "../src/engine/engine.js";
import { recallLines, recallText } from "../src/data/recall.js";
import { lineChart } from "../src/io/lineChart.js";
import { saveModel } from "../src/io/savedModel.js";
import { LocalistModel } from "../src/lm/node.js";
import {
  RECALL_TASK,
  steeringSweep,
  steeringTable,
  type SteeringPoint,
} from "../experiments/steering.js";
import { meanSd, table } from "./brownRuns.js";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "bench-steering" },
    model: { type: "string" },
    steps: { type: "string", default: "3000" },
    alphas: { type: "string", default: "1,0.5,0.3,0.1,0.03,0.01,0.003,0.001,0.0001" },
    plot: { type: "string" },
    fixture: { type: "string" },
    seeds: { type: "string" },
  },
});

await initEngine();
const out = values.out as string;
const dir = values.model;
// The corpus is written every time: the fixture model names it (bench-steering/recall.txt).
mkdirSync(out, { recursive: true });
const corpus = join(out, "recall.txt");
writeFileSync(corpus, recallText(recallLines({ ...RECALL_TASK, lines: 6000, seed: 1 })));
const seeds = values.seeds === undefined ? [1] : String(values.seeds).split(",").map(Number);
const sweeps: { seed: number; points: SteeringPoint[] }[] = [];
for (const seed of seeds) {
  let modelDir = dir;
  if (modelDir === undefined) {
    modelDir = values.seeds === undefined ? join(out, "model") : join(out, `seed-${seed}`, "model");
    if (values.seeds === undefined || !existsSync(join(modelDir, "checkpoint.json"))) {
      rmSync(modelDir, { recursive: true, force: true });
      const began = performance.now();
      await LocalistModel.train(
        {
          corpus: { corpus, tokenizer: "word", maxVocab: 100, minCount: 1, lowercase: true },
          model: {
            context: 24,
            layers: 2,
            heads: 2,
            dModel: 64,
            dMlp: 256,
            attention: { kind: "global" },
            positional: "rotary",
            strict: false,
          },
          settings: {
            steps: Number(values.steps),
            batch: 32,
            learningRate: 1e-3,
            warmup: 30,
            seed,
            weightDecay: 0.1,
            clipNorm: 1,
            checkpointEvery: Number(values.steps),
          },
        },
        { out: modelDir, validWindows: 50 },
      );
      process.stderr.write(
        `seed ${seed}: trained in ${((performance.now() - began) / 1000).toFixed(0)} s\n`,
      );
    }
  }
  const model = LocalistModel.open(modelDir);
  try {
    if (values.fixture !== undefined)
      saveModel(values.fixture, { ...model, optimizer: undefined, entries: model.entries });
    process.stderr.write(`${modelDir}: sweeping α on 300 held-out lines\n`);
    const held = recallLines({ ...RECALL_TASK, lines: 300, seed: 99 });
    const alphas = (values.alphas as string).split(",").map(Number);
    const points = await steeringSweep(model, held, model.split("test"), alphas, {
      evalWindows: 100,
    });
    sweeps.push({ seed, points });
    console.log(`${seeds.length > 1 ? `seed ${seed}\n\n` : ""}${steeringTable(points)}\n`);
  } finally {
    model.dispose();
  }
}
if (sweeps.length > 1) {
  const at = (i: number, f: (p: SteeringPoint) => number, digits: number) =>
    meanSd(
      sweeps.map((s) => f(s.points[i])),
      digits,
    );
  console.log(
    `mean ± sd over ${sweeps.length} seeds (${seeds.join(", ")})\n\n` +
      table(
        [
          "α",
          "strength s = −ln α",
          "answer accuracy (%)",
          "perplexity",
          "pointer fidelity",
          "worst row",
          "certified",
          "violations",
        ],
        sweeps[0].points.map((p, i) => [
          p.alpha >= 0.01 ? p.alpha : p.alpha.toExponential(0),
          p.strength.toFixed(2),
          at(i, (q) => 100 * q.accuracy, 1),
          at(i, (q) => q.perplexity, 3),
          at(i, (q) => q.fidelity, 3),
          at(i, (q) => q.worstFidelity, 3),
          at(i, (q) => q.certified, 3),
          sweeps.reduce((a, s) => a + s.points[i].violations, 0),
        ]),
      ),
  );
}
{
  const mean = (i: number, f: (p: SteeringPoint) => number) =>
    sweeps.reduce((a, s) => a + f(s.points[i]), 0) / sweeps.length;
  const points = sweeps[0].points.map((p, i) => ({
    strength: p.strength,
    perplexity: mean(i, (q) => q.perplexity),
    accuracy: mean(i, (q) => q.accuracy),
    fidelity: mean(i, (q) => q.fidelity),
    certified: mean(i, (q) => q.certified),
  }));
  if (values.plot !== undefined)
    writeFileSync(
      values.plot,
      lineChart(
        points.map((p) => p.strength),
        [
          {
            name: "perplexity",
            values: points.map((p) => p.perplexity),
            axis: "left",
            color: "#d62728",
          },
          {
            name: "answer accuracy",
            values: points.map((p) => p.accuracy),
            axis: "right",
            color: "#9467bd",
          },
          {
            name: "pointer fidelity",
            values: points.map((p) => p.fidelity),
            axis: "right",
            color: "#1f77b4",
          },
          {
            name: "certified fidelity",
            values: points.map((p) => p.certified),
            axis: "right",
            color: "#2ca02c",
          },
        ],
        {
          title: `Steering associative recall with a rule${sweeps.length > 1 ? ` (mean of ${sweeps.length} seeds)` : ""}`,
          xLabel: "rule strength s = −ln α",
          leftLabel: "perplexity",
          rightLabel: "accuracy, fidelity",
        },
      ),
    );
}
