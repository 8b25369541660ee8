/**
 * Anchors in a local model (docs/math.md#anchors): at the same window and steps, test perplexity
 * of local:W with no anchors, K anchors chosen by mutual information, the first K positions always
 * visible (attention sinks, as in StreamingLLM), and K random frequent tokens.
 *
 *   npm run build && node dist/bench/anchors.bench.js [--out bench-anchors] [--steps 400]
 */
import { initEngine } from "../src/engine/engine.js";
import { LocalistModel } from "../src/lm/node.js";
import type { AnchorKind } from "../src/lm/anchors.js";
import {
  experimentOptions,
  smallBrownModel,
  table,
  testPerplexity,
  trainOnce,
} from "./brownRuns.js";

const options = experimentOptions({ steps: 400, out: "bench-anchors" });
await initEngine();

const WINDOW = 4;
const K = 8;
const CONTEXT = 64;
const runs: { name: string; kind?: AnchorKind }[] = [
  { name: "no anchors" },
  { name: "mutual information", kind: "mutual-information" },
  { name: "sinks (first K positions)", kind: "sinks" },
  { name: "random frequent tokens", kind: "random" },
];
const rows: (string | number)[][] = [];
for (const run of runs) {
  const spec = smallBrownModel(options.steps, options.seed);
  spec.model = { ...spec.model, context: CONTEXT, attention: { kind: "local", window: WINDOW } };
  if (run.kind) spec.anchors = { kind: run.kind, count: K };
  const { dir, seconds } = await trainOnce(options.out, run.kind ?? "none", spec);
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
      (await testPerplexity(model, options.evalWindows)).toFixed(2),
      seconds === undefined ? "reused" : `${seconds.toFixed(0)} s`,
    ]);
  } finally {
    model.dispose();
  }
}
console.log(
  `local:${WINDOW}, context ${CONTEXT}, K = ${K}, ${options.steps} steps\n\n` +
    table(["anchors", "which", "test perplexity", "training"], rows),
);
