/**
 * Calibration of the KME model's Gaussian-process head (docs/distreg.md): per task and seed, fit a
 * DistributionRegressor (model kme, head gp, the default 20% validation) on N two-stage bags of m
 * samples, predict Q new bags, and count the targets inside the 90% intervals μ ± 1.645σ; prints
 * per task the coverage (mean ± sd over seeds, min, max) and the test NMSE.
 *
 *   npm run build && node dist/bench/distregCalibration.bench.js [--tasks rotated-entropy,mixture-variance,gaussian-logdet]
 *     [--n 150] [--m 20] [--queries 300] [--seeds 5]
 */
import { parseArgs } from "node:util";
import { initEngine } from "../src/engine/engine.js";
import { scoreRegression } from "../src/data/distributions/scoring.js";
import { distributionTask, sampleBagSet } from "../src/data/distributions/tasks.js";
import { coverage, DistributionRegressor } from "../src/distreg/regressor.js";

const { values } = parseArgs({
  options: {
    tasks: { type: "string", default: "rotated-entropy,mixture-variance,gaussian-logdet" },
    n: { type: "string", default: "150" },
    m: { type: "string", default: "20" },
    queries: { type: "string", default: "300" },
    seeds: { type: "string", default: "5" },
  },
});

await initEngine();
const n = Number(values.n);
const m = Number(values.m);
const queries = Number(values.queries);
const seeds = Number(values.seeds);
const spread = (xs: number[]) => {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, xs.length - 1));
  return { mean, sd, min: Math.min(...xs), max: Math.max(...xs) };
};
console.log(
  `| task | N | m | test bags | seeds | 90% coverage (mean ± sd) | min – max | test NMSE |`,
);
console.log(`|---|---|---|---|---|---|---|---|`);
for (const name of String(values.tasks).split(",")) {
  const task = distributionTask(name);
  const covered: number[] = [];
  const errors: number[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const train = sampleBagSet(task, { bags: n, samples: m, seed: 10 * seed });
    const test = sampleBagSet(task, { bags: queries, samples: m, seed: 10 * seed + 1 });
    const model = await DistributionRegressor.fit(
      train.bags,
      train.targets,
      { model: "kme", head: "gp", seed },
      { targetNames: train.targetNames },
    );
    const { mean, std } = model.predict(test.bags);
    model.dispose();
    covered.push(coverage(test.targets, mean, std as Float64Array));
    errors.push(scoreRegression(test, mean).nmse);
    process.stderr.write(`${name} seed ${seed}: coverage ${covered[seed - 1].toFixed(3)}\n`);
  }
  const c = spread(covered);
  const e = spread(errors);
  console.log(
    `| ${name} | ${n} | ${m} | ${queries} | ${seeds} | ${(100 * c.mean).toFixed(1)}% ± ${(100 * c.sd).toFixed(1)} | ${(100 * c.min).toFixed(1)} – ${(100 * c.max).toFixed(1)}% | ${e.mean.toFixed(3)} ± ${e.sd.toFixed(3)} |`,
  );
}
