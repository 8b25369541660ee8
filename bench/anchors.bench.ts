/**
 * Anchors in a local model (docs/math.md#anchors): at the same window and steps, test perplexity
 * of local:W with no anchors, K anchors chosen by mutual information, the first K positions always
 * visible (attention sinks, as in StreamingLLM), and K random frequent tokens.
 *
 *   npm run build && node dist/bench/anchors.bench.js [--out bench-anchors] [--steps 400] [--seeds 1,2,3]
 *     [--attention local|hybrid]
 *
 * --attention hybrid trains hybrid:W models instead (half the heads W-local, half global; the
 * anchors act on the local heads); give it its own --out.
 */
import { initEngine } from "../src/engine/engine.js";
import { LocalistModel } from "../src/lm/node.js";
import type { AnchorKind } from "../src/lm/trainingSpec.js";
import {
  type Cell,
  experimentOptions,
  seedTables,
  smallBrownModel,
  testPerplexity,
  trainOnce,
} from "./brownRuns.js";

const options = experimentOptions(
  { steps: 400, out: "bench-anchors" },
  { attention: { type: "string", default: "local" } },
);
if (!["local", "hybrid"].includes(String(options.values.attention)))
  throw new Error(`--attention takes local or hybrid; got '${options.values.attention}'`);
await initEngine();

const WINDOW = 4;
const KIND = options.values.attention === "hybrid" ? "hybrid" : "local";
const K = 8;
const CONTEXT = 64;
const runs: { name: string; kind?: AnchorKind }[] = [
  { name: "no anchors" },
  { name: "mutual information", kind: "mutual-information" },
  { name: "sinks (first K positions)", kind: "sinks" },
  { name: "random frequent tokens", kind: "random" },
];
const perSeed: { seed: number; rows: Cell[][] }[] = [];
for (const seed of options.seeds) {
  const rows: Cell[][] = [];
  for (const run of runs) {
    const spec = smallBrownModel(options.steps, seed);
    spec.model = { ...spec.model, context: CONTEXT, attention: { kind: KIND, window: WINDOW } };
    if (run.kind) spec.anchors = { kind: run.kind, count: K };
    const { dir, seconds } = await trainOnce(options.outFor(seed), run.kind ?? "none", spec);
    const model = LocalistModel.open(dir);
    try {
      const anchors = model.anchors;
      const vocabulary = model.tokenizer.toJSON().tokens;
      rows.push([
        run.name,
        anchors === undefined
          ? "—"
          : anchors.kind === "sinks"
            ? `positions 0–${anchors.count - 1}`
            : anchors.tokens.map((id) => vocabulary[id]).join(" "),
        await testPerplexity(model, options.evalWindows),
        seconds === undefined ? "reused" : `${seconds.toFixed(0)} s`,
      ]);
    } finally {
      model.dispose();
    }
  }
  perSeed.push({ seed, rows });
}
console.log(
  `${KIND}:${WINDOW}, context ${CONTEXT}, K = ${K}, ${options.steps} steps\n\n` +
    seedTables(["anchors", "which", "test perplexity", "training"], perSeed, [
      null,
      null,
      2,
      "skip",
    ]),
);
