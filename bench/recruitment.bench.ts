/**
 * Recruitment (docs/math.md#recruitment): a localist model that starts from two blocks (content
 * and function) and splits them while a split pays, against the same run with the two blocks fixed
 * and against the full coarse part-of-speech classes; final test perplexity and pointer fidelity.
 *
 *   npm run build && node dist/bench/recruitment.bench.js [--out bench-recruitment] [--steps 400]
 */
import { initEngine } from "../src/engine/engine.js";
import { LocalistModel } from "../src/lm/node.js";
import {
  experimentOptions,
  fidelity,
  smallBrownModel,
  table,
  testPerplexity,
  trainOnce,
} from "./brownRuns.js";

const options = experimentOptions({ steps: 400, out: "bench-recruitment" });
await initEngine();

const EVERY = 50;
const runs: { name: string; recruit?: { every: number; maxBlocks: number } }[] = [
  { name: "recruited", recruit: { every: EVERY, maxBlocks: 12 } },
  { name: "fixed-start", recruit: { every: EVERY, maxBlocks: 2 } },
  { name: "coarse" },
];
const rows: (string | number)[][] = [];
const events: string[] = [];
for (const run of runs) {
  const spec = smallBrownModel(options.steps, options.seed);
  spec.localist = {
    blocks: "pos",
    margin: 8,
    training: { penalty: 0.1, dial: { range: [0, 1] }, schedule: "uniform" },
    ...(run.recruit ? { recruit: run.recruit } : {}),
  };
  const { dir, seconds } = await trainOnce(options.out, run.name, spec);
  const model = LocalistModel.open(dir);
  try {
    const localist = model.localist;
    if (!localist) throw new Error("not localist");
    const at = (value: number) => ({ value, schedule: "uniform" as const });
    const pf0 = fidelity(model, options.inspectWindows, at(0));
    const pf1 = fidelity(model, options.inspectWindows, at(1));
    const names = localist.blocks.kind === "tokens" ? localist.blocks.names : [];
    rows.push([
      run.name,
      names.length,
      (await testPerplexity(model, options.evalWindows, at(0))).toFixed(2),
      (await testPerplexity(model, options.evalWindows, at(1))).toFixed(2),
      pf0.overall.toFixed(3),
      pf1.overall.toFixed(3),
      pf1.certified.toFixed(3),
      seconds === undefined ? "reused" : `${seconds.toFixed(0)} s`,
    ]);
    for (const e of localist.recruitment?.events ?? [])
      events.push(
        `step ${e.step}: ${e.block} → ${e.into[0]} (${e.sizes[0]} tokens: ${e.examples[0].join(" ")}) + ${e.into[1]} (${e.sizes[1]} tokens: ${e.examples[1].join(" ")}); gain ${e.gainBits.toFixed(0)} bits > cost ${e.costBits.toFixed(0)} bits`,
      );
  } finally {
    model.dispose();
  }
}
console.log(
  table(
    [
      "blocks",
      "final blocks",
      "test perplexity λ = 0",
      "test perplexity λ = 1",
      "PF λ = 0",
      "PF λ = 1",
      "certified λ = 1",
      "training",
    ],
    rows,
  ),
);
console.log(`\nrecruitments:\n${events.map((e) => `- ${e}`).join("\n")}`);
