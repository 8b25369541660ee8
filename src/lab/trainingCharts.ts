/**
 * The charts of training in the page, drawn in the compute worker as SVG text: the loss curve and
 * the sweep of the dial on a sample text as the model is now.
 */
import { lineChart } from "../io/lineChart.js";
import type { LocalistModel } from "../lm/localistModel.js";
import { textWindow } from "./analysis.js";
import { sweepChart } from "./sweepChart.js";

const SWEEP_DIALS = [0, 0.2, 0.4, 0.6, 0.8, 1];

/** Entropy and the fidelities at each dial on the first window of `text`. Borrows the model. */
export function trainingSweepSvg(model: LocalistModel, text: string, step: number): string {
  return sweepChart(model, textWindow(model, text), {
    dials: SWEEP_DIALS,
    schedule: "uniform",
    rules: [],
    title: `sweep at step ${step}`,
    width: 480,
    height: 300,
  });
}

/** The loss curve, as at most 20 points (the mean loss of each stretch of steps). */
export function lossSvg(losses: number[]): string {
  const stretch = Math.max(1, Math.ceil(losses.length / 20));
  const xs: number[] = [];
  const means: number[] = [];
  for (let i = 0; i < losses.length; i += stretch) {
    const part = losses.slice(i, i + stretch);
    xs.push(i + part.length);
    means.push(part.reduce((a, b) => a + b, 0) / part.length);
  }
  if (xs.length === 1) {
    xs.unshift(0);
    means.unshift(means[0]);
  }
  return lineChart(xs, [{ name: "training loss", values: means, axis: "left", color: "#333" }], {
    title: "training loss (cross-entropy + penalty)",
    xLabel: "step",
    leftLabel: "loss",
    rightLabel: "",
    width: 480,
    height: 300,
  });
}
