/**
 * Denoising as a local mean (docs/math.md#denoising-as-a-local-mean): noisy samples of the unit
 * circle moved by gaussian local-mean (MeanShift) steps over themselves; the distance to the
 * circle and the error to the clean points against the number of steps, printed as a Markdown
 * table, beside the Bayes denoiser under the true prior.
 *
 *   npm run build && node dist/bench/denoise.bench.js [--points 1000] [--noise 0.1]
 *     [--bandwidths 0.5,1,2] [--steps 0,1,2,3,5,10,20] [--seed 1]
 */
import { parseArgs } from "node:util";
import { initEngine } from "../src/engine/engine.js";
import { runDenoisingExperiment } from "../experiments/theory/denoisingCurve.js";

const { values } = parseArgs({
  options: {
    points: { type: "string", default: "1000" },
    noise: { type: "string", default: "0.1" },
    bandwidths: { type: "string", default: "0.5,1,2" },
    steps: { type: "string", default: "0,1,2,3,5,10,20" },
    seed: { type: "string", default: "1" },
  },
});
const list = (text: string) => text.split(",").map(Number);

await initEngine();
const options = {
  points: Number(values.points),
  noise: Number(values.noise),
  bandwidths: list(values.bandwidths),
  steps: list(values.steps),
  seed: Number(values.seed),
};
const began = performance.now();
const result = runDenoisingExperiment(options);
const header = [
  "steps",
  ...options.bandwidths.flatMap((m) => [`h = ${m}σ: distance`, `h = ${m}σ: RMSE`]),
];
const cell = (v: number) => v.toFixed(4);
console.log(`| ${header.join(" | ")} |`);
console.log(`| ${header.map((h) => "-".repeat(h.length)).join(" | ")} |`);
for (const row of result.rows)
  console.log(
    `| ${[String(row.steps), ...row.scores.flatMap((s) => [cell(s.distance), cell(s.rmse)])].join(" | ")} |`,
  );
console.log(
  `\nBayes denoiser E[x | y] under the true prior (uniform on the circle; one local-mean step at h = σ over 4,096 circle points): ` +
    `distance ${cell(result.bayes.distance)}, RMSE ${cell(result.bayes.rmse)}.`,
);
console.log(
  `${options.points} points uniform on the unit circle, gaussian noise σ = ${options.noise} per coordinate; ` +
    `each step y ← Σ_j K_h(y, y_j) y_j / Σ_j K_h(y, y_j) over the noisy points y_j (gaussian kernel); ` +
    `distance = mean |‖y‖ − 1|, RMSE = √(mean ‖y − x‖²) to the clean points; seed ${options.seed}; ` +
    `${((performance.now() - began) / 1000).toFixed(1)} s.`,
);
