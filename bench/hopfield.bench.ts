/**
 * Modern Hopfield retrieval against the classical Hebbian network (docs/math.md#modern-hopfield-retrieval):
 * the exact-retrieval rate against the number of stored patterns and β, printed as a Markdown table.
 *
 *   npm run build && node dist/bench/hopfield.bench.js [--dims 64] [--memories 20] [--probes 10] [--flip 0.2]
 *     [--steps 1] [--seed 1] [--patterns 2,4,…] [--betas 0.01,0.05,0.2,1]
 */
import { parseArgs } from "node:util";
import { initEngine } from "../src/engine/engine.js";
import { runHopfieldExperiment } from "../experiments/theory/hopfieldRetrieval.js";

const { values } = parseArgs({
  options: {
    dims: { type: "string", default: "64" },
    memories: { type: "string", default: "20" },
    probes: { type: "string", default: "10" },
    flip: { type: "string", default: "0.2" },
    steps: { type: "string", default: "1" },
    seed: { type: "string", default: "1" },
    patterns: { type: "string", default: "2,4,8,12,16,32,64,256,1024,4096,16384,65536" },
    betas: { type: "string", default: "0.01,0.03,0.1,0.3,1" },
  },
});
const list = (text: string) => text.split(",").map(Number);

await initEngine();
const options = {
  dimensions: Number(values.dims),
  patternCounts: list(values.patterns),
  betas: list(values.betas),
  flipFraction: Number(values.flip),
  memories: Number(values.memories),
  probes: Number(values.probes),
  steps: Number(values.steps),
  seed: Number(values.seed),
};
const began = performance.now();
const rows = runHopfieldExperiment(options);
const percent = (rate: number) => (100 * rate).toFixed(1);
const header = [
  "stored patterns N",
  "N / D",
  "classical (Hebbian)",
  ...options.betas.map((b) => `modern β = ${b}`),
];
console.log(`| ${header.join(" | ")} |`);
console.log(`| ${header.map((h) => "-".repeat(h.length)).join(" | ")} |`);
for (const row of rows) {
  const cells = [
    String(row.patterns),
    (row.patterns / options.dimensions).toFixed(2),
    percent(row.classical),
    ...row.modern.map(percent),
  ];
  console.log(`| ${cells.join(" | ")} |`);
}
console.log(
  `\nExact retrieval (%) of ${options.memories} memories × ${options.probes} probes per row: random ±1 patterns of length D = ${options.dimensions}, ` +
    `probes with ${Math.round(options.flipFraction * options.dimensions)} of ${options.dimensions} signs flipped; ` +
    `modern: ${options.steps} update(s) ξ ← Xᵀ softmax(β X ξ), then signs; classical: Hebbian weights, asynchronous ` +
    `sign updates to a fixed point; seed ${options.seed}; ${((performance.now() - began) / 1000).toFixed(1)} s.`,
);
