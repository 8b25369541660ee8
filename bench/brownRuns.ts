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
export function experimentOptions(
  defaults: { steps: number; out: string },
  extra: Record<string, { type: "string"; default: string }> = {},
) {
  const { values } = parseArgs({
    options: {
      ...extra,
      out: { type: "string", default: defaults.out },
      steps: { type: "string", default: String(defaults.steps) },
      "eval-windows": { type: "string", default: "300" },
      "inspect-windows": { type: "string", default: "16" },
      seed: { type: "string", default: "1" },
      seeds: { type: "string" },
    },
  });
  const out = values.out as string;
  // --seeds 1,2,3 trains one run per seed under out/seed-S and prints the mean ± sd over them.
  const many = values.seeds !== undefined;
  const seeds = many ? String(values.seeds).split(",").map(Number) : [Number(values.seed)];
  if (seeds.some((s) => !Number.isInteger(s)))
    throw new Error(`--seeds takes integers, comma-separated; got '${values.seeds}'`);
  const raw = values as Record<string, unknown>;
  return {
    /** The values of the `extra` options. */
    values: Object.fromEntries(Object.keys(extra).map((k) => [k, String(raw[k])])) as Record<
      string,
      string
    >,
    out,
    steps: Number(values.steps),
    evalWindows: Number(values["eval-windows"]),
    inspectWindows: Number(values["inspect-windows"]),
    seed: seeds[0],
    seeds,
    /** The folder of one seed's runs: `out` alone, or `out/seed-S` under --seeds. */
    outFor: (seed: number) => (many ? join(out, `seed-${seed}`) : out),
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

/** Test perplexity and next-token accuracy (sliding window) at a dial. */
export async function testEvaluation(
  model: LocalistModel,
  windows: number,
  dial: { value: number; schedule: Schedule },
): Promise<{ perplexity: number; accuracy: number }> {
  const { perplexity, accuracy } = await model.evaluate(model.split("test"), {
    dial: model.dial(dial.value, dial.schedule),
    maxWindows: windows,
  });
  return { perplexity, accuracy };
}

/** Pointer fidelity (overall and per layer) on validation windows at a dial. */
export function fidelity(
  model: LocalistModel,
  windows: number,
  dial: { value: number; schedule: Schedule },
): {
  overall: number;
  certified: number;
  entropy: number;
  perLayer: number[];
  violations: number;
} {
  const report = model.measure(model.split("valid"), model.dial(dial.value, dial.schedule), {
    windows,
  });
  return {
    overall: report.overall.fidelity,
    certified: report.overall.certifiedFidelity,
    entropy: report.overall.entropy,
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

/** A table cell: text, or a number printed with its column's digits. */
export type Cell = string | number;

/** "m ± sd" with the sample standard deviation (n − 1); just the value for one seed. */
export function meanSd(values: readonly number[], digits: number): string {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  if (n < 2) return mean.toFixed(digits);
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
  return `${mean.toFixed(digits)} ± ${sd.toFixed(digits)}`;
}

/**
 * One table per seed, then (for several seeds) the mean ± sd table: numeric cells are averaged
 * over the seeds with their column's digits, text cells are shown once (or as a / b / c where the
 * seeds differ); a column marked "skip" (e.g. training time) is left out of the mean table.
 */
export function seedTables(
  header: string[],
  perSeed: { seed: number; rows: Cell[][] }[],
  digits: (number | null | "skip")[],
): string {
  const show = (cell: Cell, d: number | null | "skip") =>
    typeof cell === "number" ? cell.toFixed(typeof d === "number" ? d : 0) : cell;
  const parts = perSeed.map(
    ({ seed, rows }) =>
      `seed ${seed}\n\n` +
      table(
        header,
        rows.map((row) => row.map((c, i) => show(c, digits[i]))),
      ),
  );
  if (perSeed.length > 1) {
    const keep = header.map((_, i) => digits[i] !== "skip");
    const rows = perSeed[0].rows.map((row, r) =>
      row
        .map((first, i) => {
          const cells = perSeed.map((s) => s.rows[r][i]);
          const d = digits[i];
          if (typeof first === "number")
            return meanSd(cells as number[], typeof d === "number" ? d : 0);
          return [...new Set(cells.map(String))].join(" / ");
        })
        .filter((_, i) => keep[i]),
    );
    parts.push(
      `mean ± sd over ${perSeed.length} seeds (${perSeed.map((s) => s.seed).join(", ")})\n\n` +
        table(
          header.filter((_, i) => keep[i]),
          rows,
        ),
    );
  }
  return parts.join("\n\n");
}
