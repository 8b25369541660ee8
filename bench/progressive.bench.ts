/**
 * Progressive localisation (docs/math.md#schedules): a 4-layer localist model trained and
 * evaluated at the same steps under five dials, λ = 0 (the baseline), λ = 1 on every layer, and
 * λ_ℓ = (ℓ/(L−1))^β for β = 1, 3, 5; test perplexity as a ratio to the baseline beside the
 * published ratios, and pointer fidelity per layer.
 *
 *   npm run build && node dist/bench/progressive.bench.js [--out bench-progressive] [--steps 400] [--seeds 1,2,3]
 */
import { initEngine } from "../src/engine/engine.js";
import type { Schedule } from "../src/localist/dial.js";
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

const options = experimentOptions({ steps: 400, out: "bench-progressive" });
await initEngine();

const runs: { name: string; dial: number; schedule: Schedule; published?: string }[] = [
  { name: "baseline", dial: 0, schedule: "uniform", published: "1.00×" },
  { name: "uniform", dial: 1, schedule: "uniform", published: "6.6× (uniform localist)" },
  { name: "linear", dial: 1, schedule: "linear" },
  { name: "cubic", dial: 1, schedule: "cubic" },
  { name: "quintic", dial: 1, schedule: "quintic", published: "1.89×" },
];

const perSeed: { seed: number; rows: Cell[][] }[] = [];
for (const seed of options.seeds) {
  const rows: Cell[][] = [];
  let baseline = NaN;
  for (const run of runs) {
    const spec = smallBrownModel(options.steps, seed);
    spec.model = { ...spec.model, layers: 4 };
    spec.localist = {
      blocks: "pos",
      margin: 8,
      training: { penalty: 0, dial: run.dial, schedule: run.schedule },
    };
    const { dir, seconds } = await trainOnce(options.outFor(seed), run.name, spec);
    const model = LocalistModel.open(dir);
    try {
      const dial = { value: run.dial, schedule: run.schedule };
      const perplexity = await testPerplexity(model, options.evalWindows, dial);
      if (run.name === "baseline") baseline = perplexity;
      const pf = fidelity(model, options.inspectWindows, dial);
      rows.push([
        run.name,
        run.dial === 0 ? "0, 0, 0, 0" : model.localist ? dialText(run.schedule) : "",
        perplexity,
        perplexity / baseline,
        run.published ?? "—",
        ...pf.perLayer,
        pf.violations,
        seconds === undefined ? "reused" : `${seconds.toFixed(0)} s`,
      ]);
    } finally {
      model.dispose();
    }
  }
  perSeed.push({ seed, rows });
}

function dialText(schedule: Schedule): string {
  const beta = { uniform: 0, linear: 1, cubic: 3, quintic: 5 }[schedule];
  return [0, 1, 2, 3].map((l) => (beta === 0 ? 1 : (l / 3) ** beta).toFixed(3)).join(", ");
}

console.log(
  seedTables(
    [
      "run",
      "λ per layer",
      "test perplexity",
      "ratio to baseline (×)",
      "published ratio",
      "PF layer 0",
      "PF layer 1",
      "PF layer 2",
      "PF layer 3",
      "bound violations",
      "training",
    ],
    perSeed,
    [null, null, 2, 2, null, 3, 3, 3, 3, 0, "skip"],
  ),
);
