/**
 * `localist sweep`, `localist explain` and `localist demo`: the locality dial on a trained model.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from "node:fs";
import { join } from "node:path";
import { LocalistError } from "../engine/errors.js";
import { corpusSentences, encodeSentences } from "../data/lmCorpus.js";
import { tokenizeWords } from "../data/textCorpus.js";
import { blockNames } from "../localist/blocks.js";
import { dialMatrix, parseDialList, type Schedule } from "../localist/dial.js";
import { attentionMaps, measureAttention, rowOf } from "../localist/inspect.js";
import { heatmap } from "../localist/heatmap.js";
import { lineChart } from "../io/lineChart.js";
import { localHeadCount, type ModelConfig } from "../model/config.js";
import { evaluateStream, makeEvaluator } from "../train/evaluate.js";
import { loadModel, type SavedModel } from "../io/savedModel.js";
import { writeFileAtomic } from "../io/atomicWrite.js";
import { createProgress } from "../io/progress.js";
import { helpIfAsked, parseFlags, requireFlag, UsageError, type FlagSpec } from "./flags.js";
import { DIAL_FLAG, dialFromFlags, SCHEDULE_FLAG } from "./localistFlags.js";
import { runTrain } from "./lm.js";

function loadLocalist(dir: string): SavedModel {
  const saved = loadModel(dir);
  if (!saved.config.localist) {
    for (const p of Object.values(saved.params)) p.dispose();
    throw new LocalistError(
      `${dir} was trained without blocks, so it has no dial; train a model with --localist`,
    );
  }
  return saved;
}

export interface SweepRow {
  dial: number;
  entropy: number;
  fidelity: number;
  certifiedFidelity: number;
  perplexity: number;
  accuracy: number;
  /** Rows whose measured leak exceeded the certified bound (always 0 unless something is wrong). */
  violations: number;
}

/** Evaluates a localist model at each dial value. */
export function sweepModel(
  saved: SavedModel,
  ids: Int32Array,
  dials: number[],
  schedule: Schedule,
  options: { windows: number; inspectWindows: number },
): SweepRow[] {
  const { config, params } = saved;
  const evaluator = makeEvaluator(config);
  const progress = createProgress({ total: dials.length, label: "sweep" });
  const rows = dials.map((lambda, i) => {
    const dial = dialMatrix(lambda, schedule, config.layers, config.heads);
    const quality = evaluateStream(
      params,
      config,
      ids,
      { dial, maxWindows: options.windows },
      evaluator,
    );
    const attention = measureAttention(params, config, ids, dial, {
      windows: options.inspectWindows,
    });
    progress.update(i + 1, { λ: lambda, ppl: quality.perplexity.toFixed(1) });
    return {
      dial: lambda,
      entropy: attention.overall.entropy,
      fidelity: attention.overall.fidelity,
      certifiedFidelity: attention.overall.certifiedFidelity,
      perplexity: quality.perplexity,
      accuracy: quality.accuracy,
      violations: attention.overall.violations,
    };
  });
  progress.finish();
  evaluator.dispose();
  return rows;
}

export function sweepTable(rows: SweepRow[]): string {
  return [
    "| λ | entropy (bits) | pointer fidelity | certified fidelity | perplexity | accuracy |",
    "|---|---|---|---|---|---|",
    ...rows.map(
      (r) =>
        `| ${r.dial.toFixed(2)} | ${r.entropy.toFixed(3)} | ${r.fidelity.toFixed(3)} | ${r.certifiedFidelity.toFixed(3)} | ${r.perplexity.toFixed(2)} | ${(100 * r.accuracy).toFixed(2)}% |`,
    ),
  ].join("\n");
}

export function sweepPlot(rows: SweepRow[], title: string): string {
  return lineChart(
    rows.map((r) => r.dial),
    [
      {
        name: "attention entropy (bits)",
        values: rows.map((r) => r.entropy),
        axis: "left",
        color: "#d62728",
      },
      {
        name: "pointer fidelity",
        values: rows.map((r) => r.fidelity),
        axis: "right",
        color: "#1f77b4",
      },
      {
        name: "certified fidelity",
        values: rows.map((r) => r.certifiedFidelity),
        axis: "right",
        color: "#2ca02c",
      },
    ],
    { title, xLabel: "locality dial λ", leftLabel: "entropy (bits)", rightLabel: "fidelity" },
  );
}

function splitIds(saved: SavedModel, split: "valid" | "test"): Int32Array {
  return encodeSentences(saved.tokenizer, corpusSentences(saved.settings.corpus)[split]);
}

const SWEEP_FLAGS: FlagSpec[] = [
  {
    name: "model",
    kind: "string",
    value: "DIR",
    help: "a model trained with --localist (required)",
  },
  {
    name: "dials",
    kind: "string",
    value: "LIST",
    default: "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1",
    help: "dial values",
  },
  SCHEDULE_FLAG,
  {
    name: "split",
    kind: "string",
    choices: ["valid", "test"],
    default: "valid",
    value: "SPLIT",
    help: "which split",
  },
  {
    name: "windows",
    kind: "integer",
    default: 200,
    help: "evaluation windows per dial (perplexity, accuracy)",
  },
  {
    name: "inspect-windows",
    kind: "integer",
    default: 16,
    help: "windows whose attention rows are measured per dial",
  },
  { name: "json", kind: "boolean", help: "print JSON instead of a table" },
  {
    name: "plot",
    kind: "string",
    value: "FILE.svg",
    help: "write the entropy and fidelity curves as SVG",
  },
];

export function runSweep(args: string[]): string {
  const command = "localist sweep";
  const text = helpIfAsked(
    args,
    `${command} --model DIR [options]`,
    "Entropy, pointer fidelity, certified fidelity, perplexity and accuracy across the locality dial.",
    SWEEP_FLAGS,
  );
  if (text) return text;
  const { flags } = parseFlags(args, SWEEP_FLAGS, command);
  const dir = requireFlag(flags, "model", command);
  let dials: number[];
  try {
    dials = parseDialList(flags.dials as string);
  } catch (error) {
    throw new UsageError(`--dials: ${(error as Error).message}`);
  }
  const saved = loadLocalist(dir);
  const ids = splitIds(saved, flags.split as "valid" | "test");
  const rows = sweepModel(saved, ids, dials, flags.schedule as Schedule, {
    windows: flags.windows as number,
    inspectWindows: flags["inspect-windows"] as number,
  });
  for (const p of Object.values(saved.params)) p.dispose();
  if (flags.plot !== undefined)
    writeFileAtomic(flags.plot as string, sweepPlot(rows, `Locality dial sweep: ${dir}`));
  if (flags.json)
    return JSON.stringify(
      { model: dir, schedule: flags.schedule, split: flags.split, rows },
      null,
      2,
    );
  return sweepTable(rows);
}

const EXPLAIN_FLAGS: FlagSpec[] = [
  {
    name: "model",
    kind: "string",
    value: "DIR",
    help: "a model trained with --localist (required)",
  },
  { name: "text", kind: "string", value: "TEXT", help: "text to explain (required)" },
  { ...DIAL_FLAG, default: "1" },
  SCHEDULE_FLAG,
  { name: "layer", kind: "integer", help: "only this layer (0-based)" },
  { name: "head", kind: "integer", help: "only this head (0-based)" },
  { name: "top", kind: "integer", default: 3, help: "keys listed per token" },
  {
    name: "delta",
    kind: "number",
    default: 0.05,
    help: "δ for the dial threshold λ* (fidelity ≥ 1 − δ)",
  },
];

function describeHead(config: ModelConfig, names: string[], head: number): string {
  const routing = config.localist?.routing;
  const kind =
    head < localHeadCount(config)
      ? `${(config.attention as { window: number }).window}-local`
      : "global";
  if (!routing) return kind;
  const g = routing.blocks;
  const targets = new Set<string>();
  for (let a = 0; a < g; a++)
    for (let b = 0; b < g; b++) if (routing.targets[(head * g + a) * g + b]) targets.add(names[b]);
  return `${kind}, targets: ${[...targets].join(", ")}`;
}

export function runExplain(args: string[]): string {
  const command = "localist explain";
  const text = helpIfAsked(
    args,
    `${command} --model DIR --text TEXT [options]`,
    "Where each token attends, per layer and head, with a heatmap and the certified bound.",
    EXPLAIN_FLAGS,
  );
  if (text) return text;
  const { flags } = parseFlags(args, EXPLAIN_FLAGS, command);
  const dir = requireFlag(flags, "model", command);
  const input = requireFlag(flags, "text", command);
  const saved = loadLocalist(dir);
  const { config, tokenizer } = saved;
  const words = tokenizer.kind === "word" ? tokenizeWords(input) : Array.from(input);
  if (words.length === 0)
    throw new LocalistError("the text has no tokens; give some words with --text");
  const ids = (
    tokenizer.kind === "word" ? tokenizer.encode(words) : tokenizer.encodeText(input)
  ).slice(-config.context);
  const shown = tokenizer.decode(ids);
  const dial = dialFromFlags(flags, config, dir) as number[][];
  const structure = config.localist as NonNullable<ModelConfig["localist"]>;
  const names = blockNames(structure.blocks, config.context);
  const blockOf = (position: number) =>
    structure.blocks.kind === "tokens"
      ? names[structure.blocks.tokenBlocks[ids[position]]]
      : `window ${Math.floor(position / structure.blocks.width)}`;
  const maps = attentionMaps(saved.params, config, ids, 1, dial);
  for (const p of Object.values(saved.params)) p.dispose();
  const t = ids.length;
  const top = flags.top as number;
  const delta = flags.delta as number;
  const layers =
    flags.layer === undefined ? [...Array(config.layers).keys()] : [flags.layer as number];
  const heads = flags.head === undefined ? [...Array(config.heads).keys()] : [flags.head as number];
  for (const l of layers)
    if (l < 0 || l >= config.layers)
      throw new UsageError(`--layer must be in [0, ${config.layers - 1}], got ${l}`);
  for (const h of heads)
    if (h < 0 || h >= config.heads)
      throw new UsageError(`--head must be in [0, ${config.heads - 1}], got ${h}`);
  const out: string[] = [`text: ${shown.map((w, i) => `${w}[${blockOf(i)}]`).join(" ")}`];
  for (const l of layers) {
    for (const h of heads) {
      const w = maps.weights[l][h];
      let entropy = 0;
      let fidelity = 0;
      let certified = 0;
      let scored = 0;
      let threshold = 0;
      const lines: string[] = [];
      for (let n = 0; n < t; n++) {
        const row = rowOf(maps, config, dial, l, h, 0, n);
        const weights = Array.from(w.subarray(n * t, n * t + t));
        const order = weights
          .map((v, m) => [v, m] as const)
          .filter(([v]) => v > 0)
          .sort((a, b) => b[0] - a[0])
          .slice(0, top);
        const keys = order.map(([v, m]) => `${shown[m]}[${blockOf(m)}] ${v.toFixed(2)}`).join(", ");
        let note = "";
        if (row) {
          entropy += row.entropy;
          if (!Number.isNaN(row.fidelity)) {
            scored++;
            fidelity += row.fidelity;
            certified += 1 - row.leakBound;
            const lambdaStar =
              row.nOut === 0
                ? 0
                : Math.max(
                    0,
                    (row.spread + Math.log(row.nOut / row.nIn) + Math.log((1 - delta) / delta)) /
                      structure.margin,
                  );
            threshold = Math.max(threshold, lambdaStar);
            note = `  (fidelity ${row.fidelity.toFixed(2)}, certified ≥ ${(1 - row.leakBound).toFixed(2)}, λ* ${lambdaStar.toFixed(2)})`;
          } else note = "  (no relevant key)";
        }
        lines.push(`  ${shown[n]}[${blockOf(n)}] → ${keys || "nothing"}${note}`);
      }
      out.push("");
      out.push(
        `layer ${l}, head ${h} (${describeHead(config, names, h)}), λ = ${dial[l][h].toFixed(2)}: entropy ${(entropy / t).toFixed(2)} bits, ` +
          `fidelity ${(fidelity / Math.max(1, scored)).toFixed(3)}, certified ≥ ${(certified / Math.max(1, scored)).toFixed(3)}, ` +
          `λ* for fidelity ≥ ${1 - delta} on every row: ${threshold.toFixed(2)}${threshold > 1 ? " (beyond the dial's range)" : ""}`,
      );
      out.push(...lines);
      out.push(...heatmap(w, shown).map((line) => `  ${line}`));
    }
  }
  return out.join("\n");
}

const DEMO_FLAGS: FlagSpec[] = [
  {
    name: "out",
    kind: "string",
    value: "DIR",
    default: "localist-demo",
    help: "where the model, sweep.json and sweep.svg go",
  },
  { name: "steps", kind: "integer", default: 800, help: "training steps" },
  { name: "seed", kind: "integer", default: 1, help: "seed" },
];

/** The main job: train a small localist model on Brown, sweep the dial, write the results. */
export function runDemo(args: string[]): string {
  const command = "localist demo";
  const text = helpIfAsked(
    args,
    `${command} [--out DIR]`,
    "Train a small localist model on the Brown corpus (about 10 minutes), sweep the locality dial, and write the model, sweep.json and sweep.svg.",
    DEMO_FLAGS,
  );
  if (text) return text;
  const { flags } = parseFlags(args, DEMO_FLAGS, command);
  const out = flags.out as string;
  const steps = flags.steps as number;
  if (steps < 1) throw new UsageError(`--steps must be ≥ 1, got ${steps}`);
  mkdirSync(out, { recursive: true });
  const staging = join(out, "model.partial");
  rmSync(staging, { recursive: true, force: true });
  process.stderr.write(
    `localist demo: training a localist model on the Brown corpus into ${out}/model\n`,
  );
  process.stderr.write(
    runTrain([
      "--out",
      staging,
      "--localist",
      "--blocks",
      "pos",
      "--penalty",
      "0.1",
      "--dial-range",
      "0,1",
      "--vocab",
      "5000",
      "--layers",
      "2",
      "--heads",
      "4",
      "--d-model",
      "128",
      "--context",
      "32",
      "--batch",
      "16",
      "--steps",
      String(steps),
      "--lr",
      "3e-3",
      "--warmup",
      "30",
      "--checkpoint-every",
      "100",
      "--seed",
      String(flags.seed),
    ]) + "\n",
  );
  const modelDir = join(out, "model");
  if (existsSync(modelDir)) rmSync(modelDir, { recursive: true, force: true });
  renameSync(staging, modelDir);
  const saved = loadLocalist(modelDir);
  const ids = splitIds(saved, "valid");
  const dials = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1];
  const rows = sweepModel(saved, ids, dials, "uniform", { windows: 400, inspectWindows: 12 });
  for (const p of Object.values(saved.params)) p.dispose();
  writeFileAtomic(
    join(out, "sweep.json"),
    JSON.stringify({ model: modelDir, schedule: "uniform", split: "valid", rows }, null, 2) + "\n",
  );
  writeFileAtomic(
    join(out, "sweep.svg"),
    sweepPlot(rows, "Locality dial sweep (Brown, 2×128, part-of-speech blocks)"),
  );
  return [
    sweepTable(rows),
    "",
    `model: ${modelDir}`,
    `sweep: ${join(out, "sweep.json")}, plot: ${join(out, "sweep.svg")}`,
    `next: npx localist explain --model ${modelDir} --text "the jury said the election was conducted fairly" --dial 1 --layer 1`,
  ].join("\n");
}
