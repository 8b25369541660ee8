/**
 * The Lab's cost of typing: the compute worker's time for each new text as a person types a word
 * at a time (what the worker does on a text change: encode the window, open an explain session,
 * analyse it at the dial; src/lab/computeWorker.ts). The engine compiles a pass per window length;
 * a session runs its window padded to a multiple of 32 (lm/explainSession.ts `paddedLength`), so
 * most words land on a length compiled already. The model is lab.bench's (./labModel.ts); per
 * starting length, one text is analysed untimed (the page as it opened), then R texts one word
 * longer each are timed. Run on the main thread of Node, one engine thread, as in the page's
 * worker by default.
 *
 *   npm run build && node dist/bench/typing.bench.js [--repeats 16] [--out bench-lab]
 */
import { parseArgs } from "node:util";
import { initEngine } from "../src/engine/engine.js";
import { LocalistModel } from "../src/lm/node.js";
import { analyse, textWindow } from "../src/lab/analysis.js";
import { benchText, makeLabBenchModel } from "./labModel.js";

const { values } = parseArgs({
  options: {
    repeats: { type: "string", default: "16" },
    out: { type: "string", default: "bench-lab" },
  },
});
const repeats = Number(values.repeats);
if (!Number.isInteger(repeats) || repeats < 1)
  throw new Error("--repeats must be a whole number ≥ 1");
await initEngine({ threads: 1 });
const model = LocalistModel.open(makeLabBenchModel(values.out as string));

/** The worker's time (ms) to analyse `words` words of text, as on a text change. */
function analyseText(words: number): number {
  const began = performance.now();
  const window = textWindow(model, benchText(words));
  const session = model.explainSession(window, { rules: [] });
  try {
    analyse(model, session, window, model.dial(0.5), []);
  } finally {
    session.dispose();
  }
  return performance.now() - began;
}

const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
console.log(
  "| text at the start | words typed | worker's time per word (median) | slowest word | words under 100 ms |",
);
console.log("|---|---|---|---|---|");
try {
  for (const start of [60, 400]) {
    analyseText(start - 1);
    const times = Array.from({ length: repeats }, (_, i) => analyseText(start + i));
    const ordered = sorted(times);
    console.log(
      `| ${start - 1} words | ${repeats} | ${ordered[Math.floor(repeats / 2)].toFixed(0)} ms | ${ordered[repeats - 1].toFixed(0)} ms | ${times.filter((t) => t < 100).length} of ${repeats} |`,
    );
  }
} finally {
  model.dispose();
}
