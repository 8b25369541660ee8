/**
 * The locality dial (docs/math.md, the localist model): a localist model trained with λ drawn from
 * [0, 1] and γ = 0.1, then swept over λ = 0, 0.1, …, 1 without retraining: attention entropy
 * (bits), pointer fidelity, certified fidelity, test perplexity and next-token accuracy, and the λ
 * with the lowest perplexity. The model is the penalty bench's γ = 0.1 run (same settings, same
 * folder name `gamma-0.1`), so with the same --out and --seeds a finished penalty run is reused.
 *
 *   npm run build && node dist/bench/dial.bench.js [--out bench-penalty] [--steps 400] [--seeds 1,2,3]
 *     [--plot FILE.svg]
 */
import { writeFileSync } from "node:fs";
import { initEngine } from "../src/engine/engine.js";
import { sweepChart } from "../src/localist/sweepChart.js";
import { LocalistModel } from "../src/lm/node.js";
import {
  type Cell,
  experimentOptions,
  fidelity,
  seedTables,
  smallBrownModel,
  testEvaluation,
  trainOnce,
} from "./brownRuns.js";

const options = experimentOptions(
  { steps: 400, out: "bench-penalty" },
  { plot: { type: "string", default: "" } },
);
await initEngine();

const dials = Array.from({ length: 11 }, (_, i) => i / 10);
const perSeed: { seed: number; rows: Cell[][] }[] = [];
const best: string[] = [];
for (const seed of options.seeds) {
  const spec = smallBrownModel(options.steps, seed);
  spec.localist = {
    blocks: "pos",
    margin: 8,
    training: { penalty: 0.1, dial: { range: [0, 1] }, schedule: "uniform" },
  };
  const { dir } = await trainOnce(options.outFor(seed), "gamma-0.1", spec);
  const model = LocalistModel.open(dir);
  const rows: Cell[][] = [];
  try {
    for (const value of dials) {
      const at = { value, schedule: "uniform" as const };
      const pf = fidelity(model, options.inspectWindows, at);
      const { perplexity, accuracy } = await testEvaluation(model, options.evalWindows, at);
      rows.push([
        value.toFixed(1),
        pf.entropy,
        pf.overall,
        pf.certified,
        perplexity,
        100 * accuracy,
      ]);
    }
  } finally {
    model.dispose();
  }
  perSeed.push({ seed, rows });
  const lowest = rows.reduce((a, b) => ((b[4] as number) < (a[4] as number) ? b : a));
  best.push(
    `seed ${seed}: lowest test perplexity ${(lowest[4] as number).toFixed(2)} at λ = ${lowest[0]} (λ = 0: ${(rows[0][4] as number).toFixed(2)}, λ = 1: ${(rows[rows.length - 1][4] as number).toFixed(2)})`,
  );
}

console.log(
  seedTables(
    [
      "λ",
      "entropy (bits)",
      "pointer fidelity",
      "certified fidelity",
      "test perplexity",
      "accuracy (%)",
    ],
    perSeed,
    [null, 3, 3, 3, 2, 2],
  ),
);
console.log(`\n${best.join("\n")}`);

const plot = String(options.values.plot);
if (plot !== "") {
  const mean = (column: number, i: number) =>
    perSeed.reduce((a, s) => a + (s.rows[i][column] as number), 0) / perSeed.length;
  writeFileSync(
    plot,
    sweepChart(
      dials.map((dial, i) => ({
        dial,
        entropy: mean(1, i),
        fidelity: mean(2, i),
        certifiedFidelity: mean(3, i),
      })),
      {
        title: `The locality dial on Brown: mean over ${perSeed.length} seed(s)`,
      },
    ),
  );
}
