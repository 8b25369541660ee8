/**
 * What blocks per occurrence change on Brown (docs/experiments/occurrence-blocks.md): localist
 * models trained on Brown prepared with its gold tags, each position in its own tag's class
 * (`--blocks-per occurrence`) or each word in its most frequent class (`--blocks-per token`), the
 * same in everything else. Reads the runs the page's training loop wrote, `RUNS/{occurrence,
 * token}-seed-S`, and measures each on the test split at λ = 0 and λ = 1 with the sweep: pointer
 * fidelity, certified fidelity and entropy over `--inspect-windows` windows, perplexity over the
 * first `--eval-windows` sliding windows. A model trained per occurrence is measured twice: with
 * the split's own blocks, and with each token's most frequent block (what it was given wherever
 * text came without tags before blocks per occurrence reached inference).
 *
 *   npm run build && node dist/bench/occurrenceBlocks.bench.js --runs DIR [--seeds 1,2,3]
 *     [--eval-windows 300] [--inspect-windows 16]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { LocalistModel } from "../src/lm/node.js";
import { seedTables, type Cell } from "./brownRuns.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string" },
    seeds: { type: "string", default: "1,2,3" },
    "eval-windows": { type: "string", default: "300" },
    "inspect-windows": { type: "string", default: "16" },
  },
});
if (values.runs === undefined) throw new Error("give --runs DIR, the folder of the trained runs");
const runs = values.runs;
const seeds = String(values.seeds).split(",").map(Number);

/** One row: the fidelity, certified fidelity and perplexity at λ = 0 and 1. */
async function measure(dir: string, name: string, ownBlocks: boolean): Promise<Cell[]> {
  const model = LocalistModel.open(dir);
  try {
    const ids = model.split("test");
    const blocks = ownBlocks ? model.splitBlocks("test") : undefined;
    if (ownBlocks && !blocks) throw new Error(`${dir} has no blocks per occurrence`);
    const [off, on] = await model.sweep(ids, [0, 1], {
      windows: Number(values["eval-windows"]),
      inspectWindows: Number(values["inspect-windows"]),
      progress: null,
      ...(blocks ? { blocks } : {}),
    });
    return [
      name,
      off.fidelity,
      on.fidelity,
      on.certifiedFidelity,
      on.entropy,
      off.perplexity,
      on.perplexity,
    ];
  } finally {
    model.dispose();
  }
}

const perSeed: { seed: number; rows: Cell[][] }[] = [];
for (const seed of seeds) {
  const occurrence = join(runs, `occurrence-seed-${seed}`);
  const token = join(runs, `token-seed-${seed}`);
  perSeed.push({
    seed,
    rows: [
      await measure(occurrence, "per occurrence", true),
      await measure(occurrence, "per occurrence, read per token", false),
      await measure(token, "per token", false),
    ],
  });
}
console.log(
  seedTables(
    [
      "blocks",
      "PF at λ = 0",
      "PF at λ = 1",
      "certified at λ = 1",
      "entropy at λ = 1 (bits)",
      "test perplexity at λ = 0",
      "test perplexity at λ = 1",
    ],
    perSeed,
    [null, 3, 3, 3, 2, 2, 2],
  ),
);
