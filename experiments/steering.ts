/**
 * The steering benchmark: does a rule change what a model does, not only where it looks? On
 * associative recall (data/recall.ts) the answer is the token after the earlier occurrence of the
 * query key, so a rule that points each repeated key at that token (key selector `after-earlier`)
 * should raise the accuracy of a model that solves the task imperfectly. Swept over PASTA's α
 * (strength s = −ln α), per point: answer accuracy on held-out lines, perplexity on the held-out
 * stream, and the rule's measured and certified pointer fidelity.
 *
 * Shapes: B lines, T positions (the context), V vocabulary.
 */
import { fromHost, np, tree } from "../src/engine/engine.js";
import { tokenizeWords } from "../src/data/textCorpus.js";
import type { RecallLine } from "../src/data/recall.js";
import { attachHooks, finishAndDiscard, hookInputs, type HookSource } from "../src/model/hooks.js";
import { forward } from "../src/model/transformer.js";
import { withStrength, type RuleSet, type RuleSpec } from "../src/localist/rules.js";
import { createEvaluator, evaluateStream } from "../src/train/evaluate.js";
import type { LocalistModel } from "../src/lm/localistModel.js";

/** The benchmark's task: 4 pairs over 12 keys and 12 values, each key queried once (22 words a line). */
export const RECALL_TASK = { pairs: 4, queries: 4, keys: 12, values: 12 };

/** The recall rule: each key token attends to the token after its earlier occurrence. */
export function recallRule(alpha: number, minFidelity = 0.9): RuleSpec {
  return {
    id: "recall",
    query: { regex: "^k\\d+$" },
    key: { relation: "after-earlier" },
    alpha,
    minFidelity,
  };
}

/** Held-out lines as windows of token ids (each line cut to the context), and where the answers are. */
export function recallWindows(
  model: LocalistModel,
  lines: readonly RecallLine[],
): {
  ids: Int32Array;
  batch: number;
  length: number;
  answers: { b: number; at: number; id: number }[];
} {
  const t = Math.min(model.config.context, Math.max(...lines.map((l) => l.words.length)));
  const ids = new Int32Array(lines.length * t);
  const answers: { b: number; at: number; id: number }[] = [];
  lines.forEach((line, b) => {
    const encoded = model.tokenizer.encode(line.words.flatMap((w) => tokenizeWords(w)));
    ids.set(encoded.subarray(0, t), b * t);
    for (const q of line.queries) if (q + 1 < t) answers.push({ b, at: q, id: encoded[q + 1] });
  });
  return { ids, batch: lines.length, length: t, answers };
}

/** Fraction of answers the model predicts (argmax at the query key) with `sources` in place. */
export function recallAccuracy(
  model: LocalistModel,
  windows: ReturnType<typeof recallWindows>,
  sources: readonly HookSource[],
): number {
  const { ids, batch, length: t, answers } = windows;
  const hooks = attachHooks(
    sources,
    hookInputs(sources, { tokens: ids, batch, length: t, step: 0 }),
  );
  const logits = forward(
    tree.ref(model.params),
    fromHost(ids, [batch, t], np.int32),
    model.config,
    {
      hooks,
    },
  ); // (B, T, V)
  finishAndDiscard(hooks);
  const v = model.config.vocabSize;
  const host = logits.dataSync() as ArrayLike<number>;
  let correct = 0;
  for (const { b, at, id } of answers) {
    const row = (b * t + at) * v;
    let best = 0;
    for (let k = 1; k < v; k++) if (host[row + k] > host[row + best]) best = k;
    if (best === id) correct++;
  }
  return correct / Math.max(1, answers.length);
}

/** One point of the sweep over α. */
export interface SteeringPoint {
  alpha: number;
  /** s = −ln α. */
  strength: number;
  accuracy: number;
  perplexity: number;
  fidelity: number;
  worstFidelity: number;
  certified: number;
  worstCertified: number;
  /** Rows whose leak exceeded the bound (must be 0). */
  violations: number;
}

/**
 * Accuracy, perplexity and fidelity of the rule at each α (α = 1 is the model as trained).
 * `stream` is held-out text for perplexity. Borrows the model's params.
 */
export async function steeringSweep(
  model: LocalistModel,
  lines: readonly RecallLine[],
  stream: Int32Array,
  alphas: readonly number[],
  options: { rule?: RuleSpec; evalWindows?: number } = {},
): Promise<SteeringPoint[]> {
  const base = model.compileRules([options.rule ?? recallRule(1)]);
  const windows = recallWindows(model, lines);
  const rules = model.replaceableRules();
  const sources = model.hooks({ rules });
  const evaluator = createEvaluator(model.config, sources);
  const perRow = Array.from({ length: windows.batch }, (_, b) =>
    windows.ids.slice(b * windows.length, (b + 1) * windows.length),
  );
  try {
    const points: SteeringPoint[] = [];
    for (const alpha of alphas) {
      const strength = -Math.log(alpha);
      const set: RuleSet = withStrength(base, strength);
      rules.setRules(set);
      const accuracy = recallAccuracy(model, windows, sources);
      const { perplexity } = await evaluateStream(model.params, model.config, stream, {
        evaluator,
        maxWindows: options.evalWindows,
      });
      const report = model.check(set, perRow).rules[0];
      points.push({
        alpha,
        strength,
        accuracy,
        perplexity,
        fidelity: report.fidelity.mean,
        worstFidelity: report.fidelity.worst,
        certified: report.certified.mean,
        worstCertified: report.certified.worst,
        violations: report.violations,
      });
    }
    return points;
  } finally {
    evaluator.dispose();
  }
}

/** The sweep as a Markdown table. */
export function steeringTable(points: readonly SteeringPoint[]): string {
  const f = (x: number) => x.toFixed(3);
  return [
    "| α | strength s = −ln α | answer accuracy | perplexity | pointer fidelity (mean / worst) | certified (mean / worst) |",
    "|---|---|---|---|---|---|",
    ...points.map(
      (p) =>
        `| ${p.alpha >= 0.01 ? p.alpha : p.alpha.toExponential(0)} | ${p.strength.toFixed(2)} | ${(100 * p.accuracy).toFixed(1)}% | ${p.perplexity.toFixed(3)} | ${f(p.fidelity)} / ${f(p.worstFidelity)} | ${f(p.certified)} / ${f(p.worstCertified)} |`,
    ),
  ].join("\n");
}
