/**
 * Recruitment (docs/math.md#recruitment): a localist model that starts from two blocks (content
 * and function) and splits them while a split pays, against the same run with the two blocks fixed
 * and against the full coarse part-of-speech classes; final test perplexity and pointer fidelity.
 *
 *   npm run build && node dist/bench/recruitment.bench.js [--out bench-recruitment] [--steps 400] [--seeds 1,2,3]
 */
import { initEngine } from "../src/engine/engine.js";
import { classBigramBits } from "../src/localist/recruitment.js";
import { LocalistModel } from "../src/lm/node.js";
import {
  type Cell,
  experimentOptions,
  fidelity,
  seedTables,
  smallBrownModel,
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
const perSeed: { seed: number; rows: Cell[][] }[] = [];
const events: string[] = [];
for (const seed of options.seeds) {
  const rows: Cell[][] = [];
  for (const run of runs) {
    const spec = smallBrownModel(options.steps, seed);
    spec.localist = {
      blocks: "pos",
      margin: 8,
      training: { penalty: 0.1, dial: { range: [0, 1] }, schedule: "uniform" },
      ...(run.recruit ? { recruit: run.recruit } : {}),
    };
    const { dir, seconds } = await trainOnce(options.outFor(seed), run.name, spec);
    const model = LocalistModel.open(dir);
    try {
      const localist = model.localist;
      if (!localist) throw new Error("not localist");
      const at = (value: number) => ({ value, schedule: "uniform" as const });
      const pf0 = fidelity(model, options.inspectWindows, at(0));
      const pf1 = fidelity(model, options.inspectWindows, at(1));
      const blocks = localist.blocks.kind === "tokens" ? localist.blocks : undefined;
      const names = blocks?.names ?? [];
      // Description length of the training split under the final blocks' class bigram (the
      // recruitment criterion's L(g)), in bits per token.
      const train = model.split("train");
      const bits = blocks ? classBigramBits(train, blocks.tokenBlocks, names.length) : NaN;
      rows.push([
        run.name,
        names.length,
        bits / (train.length - 1),
        await testPerplexity(model, options.evalWindows, at(0)),
        await testPerplexity(model, options.evalWindows, at(1)),
        pf0.overall,
        pf1.overall,
        pf1.certified,
        seconds === undefined ? "reused" : `${seconds.toFixed(0)} s`,
      ]);
      for (const e of localist.recruitment?.events ?? [])
        events.push(
          `seed ${seed}, ${run.name}, step ${e.step}: ${e.block} → ${e.into[0]} (${e.sizes[0]} tokens: ${e.examples[0].join(" ")}) + ${e.into[1]} (${e.sizes[1]} tokens: ${e.examples[1].join(" ")}); gain ${e.gainBits.toFixed(0)} bits > cost ${e.costBits.toFixed(0)} bits`,
        );
    } finally {
      model.dispose();
    }
  }
  perSeed.push({ seed, rows });
}
console.log(
  seedTables(
    [
      "blocks",
      "final blocks",
      "class-bigram bits/token (train)",
      "test perplexity λ = 0",
      "test perplexity λ = 1",
      "PF λ = 0",
      "PF λ = 1",
      "certified λ = 1",
      "training",
    ],
    perSeed,
    [null, 1, 3, 2, 2, 3, 3, 3, "skip"],
  ),
);
console.log(`\nrecruitments:\n${events.map((e) => `- ${e}`).join("\n")}`);
