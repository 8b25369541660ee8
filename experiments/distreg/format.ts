/**
 * The experiments' results as plain-text or Markdown tables, each followed by one line stating
 * the protocol (sizes, seeds, models, training), and as SVG log–log plots.
 */
import { logLogChart, SERIES_COLORS, type ChartPanel } from "../../src/io/logLogChart.js";
import type { ComplexityResult } from "./complexity.js";
import type { CurvePoint, CurveResult } from "./curves.js";
import { DEEP_SETS_LAYERS, type NeuralSettings } from "../../src/distreg/models.js";
import type { PeftResult } from "./peft.js";
import type { ScalingResult } from "./scaling.js";
import { formatSpread, markdownTable, plainTable, type Spread } from "./summary.js";

export type ExperimentResult = CurveResult | ComplexityResult | PeftResult | ScalingResult;
export type TableStyle = "plain" | "markdown";

function table(rows: string[][], style: TableStyle): string {
  return style === "markdown" ? markdownTable(rows) : plainTable(rows);
}

const slope = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : "—");

/** One line on the models (those in `models`) and their training. */
export function protocolLine(
  neural: NeuralSettings,
  models: readonly string[] = ["transformer"],
): string {
  const t = neural.training;
  const parts: string[] = [];
  if (models.includes("transformer") || models.includes("local-transformer"))
    parts.push(
      `Set transformer: ${neural.layers} layers × width ${neural.width}, ${neural.heads} heads, ${neural.pooling === "pma" ? "PMA" : "mean"} pooling` +
        (models.includes("local-transformer")
          ? ` (local-transformer: each sample attends to its ${neural.k} nearest samples)`
          : "") +
        ".",
    );
  if (models.includes("deepsets"))
    parts.push(
      `Deep Sets: φ ${DEEP_SETS_LAYERS} layers × ${2 * neural.width}, ρ hidden ${4 * neural.width}.`,
    );
  if (models.some((m) => m !== "kme"))
    parts.push(
      `${t.steps} AdamW steps × ${t.batch} bags, lr ${t.learningRate}, weight decay ${t.weightDecay}.`,
    );
  if (models.includes("kme"))
    parts.push(
      "KME: gaussian kernel on samples (h = median distance × 0.5, 1, 2), linear or gaussian kernel on embeddings, ridge λ ∈ 1e-4…1, by 5-fold cross-validation.",
    );
  return parts.join(" ");
}

function curveTable(
  points: CurvePoint[],
  axis: "n" | "m",
  values: readonly number[],
  result: CurveResult,
  style: TableStyle,
): string {
  const find = (model: string, v: number) =>
    points.find((p) => p.model === model && p[axis] === v)?.error;
  const rows = [
    [axis === "n" ? "N" : "m", ...result.models],
    ...values.map((v) => [
      String(v),
      ...result.models.map((model) => formatSpread(find(model, v))),
    ]),
    [
      `slope in ${axis === "n" ? "N" : "m"}`,
      ...result.models.map((model) =>
        slope(result.slopes.find((s) => s.model === model)?.[axis] ?? NaN),
      ),
    ],
  ];
  return table(rows, style);
}

function curvesText(result: CurveResult, style: TableStyle, neural: NeuralSettings): string {
  const seeds = `mean ± std over ${result.seeds} seed${result.seeds === 1 ? "" : "s"}, ${result.testBags} held-out bags`;
  return [
    `${result.source}: ${result.errorName} against N (m = ${result.fixedM}), ${seeds}`,
    "",
    curveTable(result.byN, "n", result.ns, result, style),
    "",
    `${result.source}: ${result.errorName} against m (N = ${result.fixedN}), ${seeds}`,
    "",
    curveTable(result.byM, "m", result.ms, result, style),
    "",
    protocolLine(neural, result.models),
  ].join("\n");
}

function complexityText(
  result: ComplexityResult,
  style: TableStyle,
  neural: NeuralSettings,
): string {
  const verdict = (margin: number) => {
    if (!Number.isFinite(margin)) return "—";
    if (margin >= 2) return `transformer (${margin.toFixed(1)}σ)`;
    if (margin <= -2) return `deepsets (${(-margin).toFixed(1)}σ)`;
    return `tie (${margin.toFixed(1)}σ)`;
  };
  const rows = [
    ["task", ...result.models, "best", "transformer vs deepsets"],
    ...result.rows.map((row) => [
      row.source,
      ...result.models.map((model) =>
        formatSpread(row.cells.find((c) => c.model === model)?.error),
      ),
      row.best,
      verdict(row.transformerMargin),
    ]),
  ];
  return [
    `Test error at N = ${result.n}, m = ${result.m} (NMSE; clustering: log-likelihood gap, nats/point), mean ± std over ${result.seeds} seed${result.seeds === 1 ? "" : "s"}, ${result.testBags} held-out bags`,
    "",
    table(rows, style),
    "",
    "transformer vs deepsets: (Deep Sets − transformer) in pooled standard deviations; beyond ±2σ counts as a win.",
    protocolLine(neural, result.models),
  ].join("\n");
}

function peftText(result: PeftResult, style: TableStyle, neural: NeuralSettings): string {
  const find = (method: string, bags: number): Spread | undefined =>
    result.points.find((p) => p.method === method && p.bags === bags)?.error;
  const bags = [...new Set(result.points.map((p) => p.bags))];
  const rows = [
    ["adaptation bags", ...result.methods],
    ...bags.map((b) => [String(b), ...result.methods.map((m) => formatSpread(find(m, b)))]),
    ["trainable parameters", ...result.methods.map((m) => String(result.trainable[m]))],
  ];
  return [
    `Prompt tuning and PEFT: pretrained on ${result.pretrainTargets.join(", ")} (${result.pretrainBags} bags), adapted to ${result.target}; test NMSE, mean ± std over ${result.seeds} seed${result.seeds === 1 ? "" : "s"}, m = ${result.m}, ${result.testBags} held-out bags`,
    "",
    table(rows, style),
    "",
    `prompt: prompt tokens + new output layer; lora: adapters on every attention projection + new output layer; full: every parameter from the pretrained ones; scratch: a new model; head: the new output layer only. Pretraining loss (standardized MSE): ${result.pretrainLoss.map((l) => l.toPrecision(3)).join(", ")}.`,
    protocolLine(neural),
  ].join("\n");
}

function scalingText(result: ScalingResult, style: TableStyle, neural: NeuralSettings): string {
  const rows = [
    ["depth \\ width", ...result.widths.map(String)],
    ...result.depths.map((depth) => [
      String(depth),
      ...result.widths.map((width) => {
        const cell = result.cells.find((c) => c.width === width && c.depth === depth);
        return cell ? `${formatSpread(cell.error)} (${cell.parameters})` : "—";
      }),
    ]),
  ];
  return [
    `${result.source}: ${result.errorName} of the set transformer against depth and width at N = ${result.n}, m = ${result.m}, mean ± std over ${result.seeds} seed${result.seeds === 1 ? "" : "s"} (parameters in brackets)`,
    "",
    table(rows, style),
    "",
    protocolLine({ ...neural, layers: NaN, width: NaN }).replace(
      "NaN layers × width NaN",
      "depth and width as in the table",
    ),
  ].join("\n");
}

/** A result as tables and a protocol line. */
export function formatResult(
  result: ExperimentResult,
  style: TableStyle,
  neural: NeuralSettings,
): string {
  switch (result.experiment) {
    case "curves":
      return curvesText(result, style, neural);
    case "complexity":
      return complexityText(result, style, neural);
    case "peft":
      return peftText(result, style, neural);
    case "scaling":
      return scalingText(result, style, neural);
  }
}

const bar = (error: Spread) => ({ low: error.mean - error.std, high: error.mean + error.std });

/** The result as an SVG log–log chart (complexity: one panel per task, error against model rank is not a curve, so none). */
export function plotResult(result: ExperimentResult): string | undefined {
  switch (result.experiment) {
    case "curves": {
      const panel = (axis: "n" | "m"): ChartPanel => ({
        title:
          axis === "n" ? `against N (m = ${result.fixedM})` : `against m (N = ${result.fixedN})`,
        xLabel: axis === "n" ? "training bags N" : "samples per bag m",
        yLabel: result.errorName,
        series: result.models.map((model, i) => ({
          name: `${model} (slope ${slope(result.slopes[i][axis])})`,
          color: SERIES_COLORS[i % SERIES_COLORS.length],
          points: (axis === "n" ? result.byN : result.byM)
            .filter((p) => p.model === model)
            .map((p) => ({ x: p[axis], y: p.error.mean, ...bar(p.error) })),
        })),
      });
      return logLogChart([panel("n"), panel("m")], {
        title: `Distribution regression learning curves: ${result.source}`,
      });
    }
    case "peft":
      return logLogChart(
        [
          {
            title: `pretrained on ${result.pretrainTargets.join(", ")}; new target ${result.target}`,
            xLabel: "adaptation bags",
            yLabel: "test NMSE",
            series: result.methods.map((method, i) => ({
              name: method,
              color: SERIES_COLORS[i % SERIES_COLORS.length],
              points: result.points
                .filter((p) => p.method === method)
                .map((p) => ({ x: p.bags, y: p.error.mean, ...bar(p.error) })),
            })),
          },
        ],
        { title: "Prompt tuning, LoRA, fine-tuning and training from scratch", panelWidth: 640 },
      );
    case "scaling":
      return logLogChart(
        [
          {
            title: `N = ${result.n}, m = ${result.m}`,
            xLabel: "width",
            yLabel: result.errorName,
            series: result.depths.map((depth, i) => ({
              name: `depth ${depth}`,
              color: SERIES_COLORS[i % SERIES_COLORS.length],
              points: result.cells
                .filter((c) => c.depth === depth)
                .map((c) => ({ x: c.width, y: c.error.mean, ...bar(c.error) })),
            })),
          },
        ],
        { title: `Set transformer scaling: ${result.source}`, panelWidth: 640 },
      );
    case "complexity":
      return undefined;
  }
}
