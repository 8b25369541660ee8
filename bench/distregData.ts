/**
 * The worked example's data (docs/distreg.md): bags of 2-D samples whose target is their
 * correlation. Bag i draws ρ_i ~ U(−0.9, 0.9), a size m_i ~ U{10, …, 60}, a centre μ ~ N(0, 4I) and
 * scales σ₁, σ₂ ~ U(0.5, 3), then m_i samples
 *
 *   x = μ₁ + σ₁ z₁,   y = μ₂ + σ₂ (ρ z₁ + √(1 − ρ²) z₂),     z₁, z₂ ~ N(0, 1),
 *
 * so the target, ρ_i, is a functional of the bag's distribution that its location and scale do not
 * move. Writes, into --out, the training bags (bags.csv: bag,x,y; targets.csv: bag,correlation)
 * and new bags to predict (new-bags.csv, with their true targets in new-targets.csv).
 *
 *   npm run build && node dist/bench/distregData.js --out distreg-example [--bags 300] [--new 200] [--seed 1]
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { seededUniform } from "../src/engine/random.js";

const { values } = parseArgs({
  options: {
    out: { type: "string", default: "distreg-example" },
    bags: { type: "string", default: "300" },
    new: { type: "string", default: "200" },
    seed: { type: "string", default: "1" },
  },
});

/** `count` bags named `${prefix}${i}`: the sample rows and the target rows of two CSV files. */
function correlationBags(
  count: number,
  prefix: string,
  seed: number,
): { samples: string[]; targets: string[] } {
  const uniform = seededUniform(seed);
  // Box–Muller: one standard normal from two uniforms (1 − u avoids log 0).
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const samples = ["bag,x,y"];
  const targets = ["bag,correlation"];
  for (let b = 0; b < count; b++) {
    const id = `${prefix}${b + 1}`;
    const rho = -0.9 + 1.8 * uniform();
    const m = 10 + Math.floor(uniform() * 51);
    const centre = [2 * normal(), 2 * normal()];
    const scale = [0.5 + 2.5 * uniform(), 0.5 + 2.5 * uniform()];
    for (let s = 0; s < m; s++) {
      const z1 = normal();
      const z2 = normal();
      const x = centre[0] + scale[0] * z1;
      const y = centre[1] + scale[1] * (rho * z1 + Math.sqrt(1 - rho * rho) * z2);
      samples.push(`${id},${x.toFixed(5)},${y.toFixed(5)}`);
    }
    targets.push(`${id},${rho.toFixed(6)}`);
  }
  return { samples, targets };
}

const out = values.out as string;
mkdirSync(out, { recursive: true });
const seed = Number(values.seed);
const train = correlationBags(Number(values.bags), "b", seed);
const fresh = correlationBags(Number(values.new), "new", seed + 1_000_003);
writeFileSync(join(out, "bags.csv"), `${train.samples.join("\n")}\n`);
writeFileSync(join(out, "targets.csv"), `${train.targets.join("\n")}\n`);
writeFileSync(join(out, "new-bags.csv"), `${fresh.samples.join("\n")}\n`);
writeFileSync(join(out, "new-targets.csv"), `${fresh.targets.join("\n")}\n`);
console.log(
  `wrote ${out}/bags.csv (${train.samples.length - 1} samples in ${Number(values.bags)} bags), targets.csv, new-bags.csv (${Number(values.new)} bags), new-targets.csv`,
);
