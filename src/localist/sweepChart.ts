/**
 * The dial sweep's chart: attention entropy (left axis), pointer fidelity and certified fidelity
 * (right axis) against λ, as SVG. One drawing for the sweep command's plot, the demo and the Lab.
 */
import { lineChart } from "../io/lineChart.js";

/** What the chart needs of a sweep row. */
export interface SweepPoint {
  dial: number;
  entropy: number;
  fidelity: number;
  certifiedFidelity: number;
}

export function sweepChart(
  points: readonly SweepPoint[],
  options: { title: string; width?: number; height?: number },
): string {
  return lineChart(
    points.map((p) => p.dial),
    [
      {
        name: "attention entropy (bits)",
        values: points.map((p) => p.entropy),
        axis: "left",
        color: "#d62728",
      },
      {
        name: "pointer fidelity",
        values: points.map((p) => p.fidelity),
        axis: "right",
        color: "#1f77b4",
      },
      {
        name: "certified fidelity",
        values: points.map((p) => p.certifiedFidelity),
        axis: "right",
        color: "#2ca02c",
      },
    ],
    {
      title: options.title,
      xLabel: "locality dial λ",
      leftLabel: "entropy (bits)",
      rightLabel: "fidelity",
      width: options.width,
      height: options.height,
    },
  );
}
