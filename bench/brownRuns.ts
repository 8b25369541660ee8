/**
 * Shared set-up of the localist experiments on Brown (anchors, recruitment, progressive
 * localisation, the penalty threshold): one small model description, training into a folder that
 * is reused when it already holds the finished run, and the measurements every table reads
 * (test perplexity with the sliding window, pointer fidelity per layer on validation windows).
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { Schedule } from "../src/localist/dial.js";
import { LocalistModel } from "../src/lm/node.js";
import type { TrainingSpec } from "../src/lm/trainingSpec.js";

/** Command-line options every experiment takes. */
export function experimentOptions(defaults: { steps: number; out: string }) {
  const { values } = parseArgs({
    options: {
      out: { type: "string", default: defaults.out },
      steps: { type: "string", default: String(defaults.steps) },
      "eval-windows": { type: "string", default: "300" },
      "inspect-windows": { type: "string", default: "16" },
      seed: { type: "string", default: "1" },
    },
  });
  return {
    out: values.out as string,
    steps: Number(values.steps),
    evalWindows: Number(values["eval-windows"]),
    inspectWindows: Number(values["inspect-windows"]),
    seed: Number(values.seed),
  };
}

/** The small Brown model of the experiments: 2 × 64, 4 heads, context 32, vocabulary 2,000. */
export function smallBrownModel(steps: number, seed: number): TrainingSpec {
  return {
    corpus: { corpus: "brown", tokenizer: "word", maxVocab: 2000, minCount: 1, lowercase: true },
    model: {
      context: 32,
      layers: 2,
      heads: 4,
      dModel: 64,
      dMlp: 256,
      attention: { kind: "global" },
      positional: "learned",
      strict: false,
    },
    settings: {
      steps,
      batch: 16,
      learningRate: 3e-3,
      warmup: 30,
      seed,
      weightDecay: 0.1,
      clipNorm: 1,
      checkpointEvery: steps,
    },
  };
}

/** Trains `spec` into `out/name` unless a finished run is there already; returns its folder. */
export async function trainOnce(
  out: string,
  name: string,
  spec: TrainingSpec,
): Promise<{ dir: string; seconds?: number }> {
  const dir = join(out, name);
  if (existsSync(join(dir, "checkpoint.json"))) {
    const model = LocalistModel.open(dir);
    const done = model.step >= spec.settings.steps;
    model.dispose();
    if (done) {
      process.stderr.write(`${name}: reusing ${dir}\n`);
      return { dir };
    }
  }
  process.stderr.write(`${name}: training into ${dir}\n`);
  const summary = await LocalistModel.train(spec, { out: dir, validWindows: 0, progress: null });
  return { dir, seconds: summary.seconds };
}

/** Test perplexity (sliding window) at a dial, with the model's own hooks (dial, anchors). */
export async function testPerplexity(
  model: LocalistModel,
  windows: number,
  dial?: { value: number; schedule: Schedule },
): Promise<number> {
  const evaluation = await model.evaluate(model.split("test"), {
    dial: dial && model.dial(dial.value, dial.schedule),
    maxWindows: windows,
  });
  return evaluation.perplexity;
}

/** Pointer fidelity (overall and per layer) on validation windows at a dial. */
export function fidelity(
  model: LocalistModel,
  windows: number,
  dial: { value: number; schedule: Schedule },
): { overall: number; certified: number; perLayer: number[]; violations: number } {
  const report = model.measure(model.split("valid"), model.dial(dial.value, dial.schedule), {
    windows,
  });
  return {
    overall: report.overall.fidelity,
    certified: report.overall.certifiedFidelity,
    perLayer: report.perLayer.map((m) => m.fidelity),
    violations: report.overall.violations,
  };
}

/** A Markdown table from a header and rows. */
export function table(header: string[], rows: (string | number)[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows.map((row) => `| ${row.join(" | ")} |`),
  ].join("\n");
}
