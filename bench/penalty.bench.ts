/**
 * The penalty threshold (docs/math.md#the-group-sparsity-penalty): the theory says attention
 * concentrates on the rule-specified blocks once the group penalty's weight γ passes a threshold.
 * Localist models identical but for γ ∈ {0, 0.01, 0.03, 0.1, 0.3, 1}, trained at the same steps
 * with λ drawn from [0, 1]; pointer fidelity at λ = 0 and λ = 1 and test perplexity against γ.
 *
 *   npm run build && node dist/bench/penalty.bench.js [--out bench-penalty] [--steps 400] [--seeds 1,2,3]
 */
import { initEngine } from "../src/engine/engine.js";
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

const options = experimentOptions({ steps: 400, out: "bench-penalty" });
await initEngine();

const gammas = [0, 0.01, 0.03, 0.1, 0.3, 1];
const perSeed: { seed: number; rows: Cell[][] }[] = [];
const knees: string[] = [];
for (const seed of options.seeds) {
  const results = [];
  for (const gamma of gammas) {
    const spec = smallBrownModel(options.steps, seed);
    spec.localist = {
      blocks: "pos",
      margin: 8,
      training: { penalty: gamma, dial: { range: [0, 1] }, schedule: "uniform" },
    };
    const { dir, seconds } = await trainOnce(options.outFor(seed), `gamma-${gamma}`, spec);
    const model = LocalistModel.open(dir);
    try {
      const at = (value: number) => ({ value, schedule: "uniform" as const });
      results.push({
        gamma,
        pf0: fidelity(model, options.inspectWindows, at(0)),
        pf1: fidelity(model, options.inspectWindows, at(1)),
        perplexity: await testPerplexity(model, options.evalWindows, at(0)),
        perplexity1: await testPerplexity(model, options.evalWindows, at(1)),
        seconds,
      });
    } finally {
      model.dispose();
    }
  }
  perSeed.push({
    seed,
    rows: results.map((r) => [
      String(r.gamma),
      r.pf0.overall,
      r.pf1.overall,
      r.pf1.certified,
      r.perplexity,
      r.perplexity1,
      r.seconds === undefined ? "reused" : `${r.seconds.toFixed(0)} s`,
    ]),
  });
  // The knee: the step between neighbouring γ with the largest rise of PF at λ = 0 per decade of γ.
  let knee = { from: 0, to: 0, slope: -Infinity };
  for (let i = 2; i < results.length; i++) {
    const [a, b] = [results[i - 1], results[i]];
    const slope = (b.pf0.overall - a.pf0.overall) / Math.log10(b.gamma / a.gamma);
    if (slope > knee.slope) knee = { from: a.gamma, to: b.gamma, slope };
  }
  knees.push(
    `steepest rise of PF at λ = 0${options.seeds.length > 1 ? ` (seed ${seed})` : ""}: between γ = ${knee.from} and γ = ${knee.to} (${knee.slope.toFixed(3)} per decade of γ)`,
  );
}

console.log(
  seedTables(
    [
      "γ",
      "PF at λ = 0",
      "PF at λ = 1",
      "certified at λ = 1",
      "test perplexity at λ = 0",
      "test perplexity at λ = 1",
      "training",
    ],
    perSeed,
    [null, 3, 3, 3, 2, 2, "skip"],
  ),
);
console.log(`\n${knees.join("\n")}`);
