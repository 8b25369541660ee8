/**
 * Small seeded bags for the distribution-regression tests: bags of 2-D samples of different sizes
 * whose target is their correlation ρ (x = z₁, y = ρz₁ + √(1 − ρ²)z₂), as packed bags and as the
 * two CSV files of `localist distreg`.
 */
import { packBags, type Bags } from "../../src/data/distributions/bags.js";
import { seededUniform } from "../../src/engine/random.js";

export interface CorrelationBags {
  bags: Bags;
  targets: Float64Array;
  ids: string[];
  /** bag,x,y: one row per sample. */
  bagsCsv: string;
  /** bag,correlation: one row per bag. */
  targetsCsv: string;
}

/** `count` bags of 4 … 4 + spread − 1 samples each, named `${prefix}1`, `${prefix}2`, … */
export function correlationBags(
  count: number,
  seed: number,
  options: { prefix?: string; spread?: number } = {},
): CorrelationBags {
  const { prefix = "b", spread = 12 } = options;
  const uniform = seededUniform(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
  const lists: Float64Array[] = [];
  const targets = new Float64Array(count);
  const ids: string[] = [];
  const rows = ["bag,x,y"];
  const targetRows = ["bag,correlation"];
  for (let b = 0; b < count; b++) {
    const id = `${prefix}${b + 1}`;
    const rho = -0.9 + 1.8 * uniform();
    const m = 4 + Math.floor(uniform() * spread);
    const list = new Float64Array(2 * m);
    for (let s = 0; s < m; s++) {
      const z1 = normal();
      const z2 = normal();
      // Rounded as the CSV writes them, so the file and the arrays hold the same numbers.
      list[2 * s] = Number(z1.toFixed(6));
      list[2 * s + 1] = Number((rho * z1 + Math.sqrt(1 - rho * rho) * z2).toFixed(6));
      rows.push(`${id},${list[2 * s]},${list[2 * s + 1]}`);
    }
    lists.push(list);
    targets[b] = Number(rho.toFixed(6));
    ids.push(id);
    targetRows.push(`${id},${targets[b]}`);
  }
  return {
    bags: packBags(lists, 2),
    targets,
    ids,
    bagsCsv: `${rows.join("\n")}\n`,
    targetsCsv: `${targetRows.join("\n")}\n`,
  };
}
