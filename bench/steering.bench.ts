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
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { initEngine } from "../src/engine/engine.js";
import { recallLines, recallText } from "../src/data/recall.js";
import { lineChart } from "../src/io/lineChart.js";
import { saveModel } from "../src/io/savedModel.js";
import { LocalistModel } from "../src/lm/node.js";
import { RECALL_TASK, steeringSweep, steeringTable } from "../experiments/steering.js";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "bench-steering" },
    model: { type: "string" },
    steps: { type: "string", default: "3000" },
    alphas: { type: "string", default: "1,0.5,0.3,0.1,0.03,0.01,0.003,0.001,0.0001" },
    plot: { type: "string" },
    fixture: { type: "string" },
  },
});

await initEngine();
const out = values.out as string;
let dir = values.model;
// The corpus is written every time: the fixture model names it (bench-steering/recall.txt).
mkdirSync(out, { recursive: true });
const corpus = join(out, "recall.txt");
writeFileSync(corpus, recallText(recallLines({ ...RECALL_TASK, lines: 6000, seed: 1 })));
if (dir === undefined) {
  dir = join(out, "model");
  rmSync(dir, { recursive: true, force: true });
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
        seed: 1,
        weightDecay: 0.1,
        clipNorm: 1,
        checkpointEvery: Number(values.steps),
      },
    },
    { out: dir, validWindows: 50 },
  );
  process.stderr.write(`trained in ${((performance.now() - began) / 1000).toFixed(0)} s\n`);
}
const model = LocalistModel.open(dir);
try {
  if (values.fixture !== undefined)
    saveModel(values.fixture, { ...model, optimizer: undefined, entries: model.entries });
  process.stderr.write(`${dir}: sweeping α on 300 held-out lines\n`);
  const held = recallLines({ ...RECALL_TASK, lines: 300, seed: 99 });
  const alphas = (values.alphas as string).split(",").map(Number);
  const points = await steeringSweep(model, held, model.split("test"), alphas, {
    evalWindows: 100,
  });
  console.log(steeringTable(points));
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
          title: "Steering associative recall with a rule",
          xLabel: "rule strength s = −ln α",
          leftLabel: "perplexity",
          rightLabel: "accuracy, fidelity",
        },
      ),
    );
} finally {
  model.dispose();
}
