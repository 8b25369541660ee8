/**
 * The distribution-regression experiments (docs/math.md#distribution-regression), at the sizes the
 * README reports: learning curves against N and m on two tasks, functional complexity on every
 * task, prompt tuning / PEFT, and scaling. Writes, per experiment, JSON (every run), Markdown and
 * an SVG plot into --out, and prints the Markdown; progress on stderr.
 *
 *   npm run build && node dist/bench/distreg.bench.js [--out distreg-results] [--only curves,complexity,peft,scaling]
 *     [--seeds 3] [--steps 300] [--quick]
 *
 * --quick shrinks everything to a smoke test (a minute). The same experiments run from the command
 * line: `localist distreg --task rotated-entropy --n 32,64,128,256,512 --m 8,16,32,64 --seeds 3`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { initEngine } from "../src/engine/engine.js";
import { distributionTask, TASK_NAMES } from "../src/data/distributions/tasks.js";
import { runComplexity } from "../experiments/distreg/complexity.js";
import { runCurves } from "../experiments/distreg/curves.js";
import { formatResult, plotResult, type ExperimentResult } from "../experiments/distreg/format.js";
import { DEFAULT_NEURAL, MODEL_NAMES, type NeuralSettings } from "../src/distreg/models.js";
import { PEFT_METHODS, runPeft } from "../experiments/distreg/peft.js";
import { runScaling } from "../experiments/distreg/scaling.js";
import { taskSource } from "../src/distreg/source.js";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "distreg-results" },
    only: { type: "string", default: "curves,complexity,peft,scaling" },
    seeds: { type: "string", default: "3" },
    steps: { type: "string", default: "300" },
    quick: { type: "boolean", default: false },
  },
});
const quick = values.quick === true;
const only = new Set(String(values.only).split(","));
const seeds = quick ? 1 : Number(values.seeds);
const steps = quick ? 20 : Number(values.steps);
const neural: NeuralSettings = {
  ...DEFAULT_NEURAL,
  training: { ...DEFAULT_NEURAL.training, steps, evalBatch: DEFAULT_NEURAL.training.batch },
};
const testBags = quick ? 40 : 200;
const out = String(values.out);
mkdirSync(out, { recursive: true });

await initEngine();

function save(name: string, result: ExperimentResult): void {
  const markdown = formatResult(result, "markdown", neural);
  writeFileSync(join(out, `${name}.json`), JSON.stringify(result, null, 2));
  writeFileSync(join(out, `${name}.md`), markdown + "\n");
  const svg = plotResult(result);
  if (svg) writeFileSync(join(out, `${name}.svg`), svg);
  console.log(`\n## ${name} (${(result.seconds / 60).toFixed(1)} min)\n\n${markdown}\n`);
}

const ns = quick ? [16, 32] : [32, 64, 128, 256, 512];
const ms = quick ? [4, 8] : [8, 16, 32, 64];

if (only.has("curves"))
  for (const task of ["rotated-entropy", "mixture-entropy"])
    save(
      `curves-${task}`,
      await runCurves(taskSource(distributionTask(task)), {
        models: MODEL_NAMES,
        seeds,
        testBags,
        neural,
        ns,
        ms,
      }),
    );

if (only.has("complexity"))
  save(
    "complexity",
    await runComplexity(
      TASK_NAMES.map((task) => taskSource(distributionTask(task))),
      { models: MODEL_NAMES, seeds, testBags, neural, n: quick ? 32 : 256, m: quick ? 8 : 64 },
    ),
  );

if (only.has("peft"))
  save(
    "peft",
    await runPeft({
      seeds,
      testBags,
      neural,
      methods: PEFT_METHODS,
      pretrainBags: quick ? 64 : 1024,
      adaptBags: quick ? [8, 16] : [8, 16, 32, 64, 128],
      m: quick ? 8 : 32,
      pretrainTargets: ["mean", "variance", "entropy"],
      target: "quantile",
      prompts: 4,
      rank: 4,
    }),
  );

if (only.has("scaling"))
  save(
    "scaling",
    await runScaling(taskSource(distributionTask("mixture-entropy")), {
      seeds,
      testBags,
      neural,
      n: quick ? 32 : 256,
      m: quick ? 8 : 32,
      widths: quick ? [8, 16] : [16, 32, 64],
      depths: quick ? [1, 2] : [1, 2, 3],
    }),
  );
