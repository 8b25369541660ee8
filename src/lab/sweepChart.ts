/** The sweep of the dial on one window, as the SVG chart `localist sweep --plot` draws. */
import { lineChart } from "../io/lineChart.js";
import type { Schedule } from "../localist/dial.js";
import type { RuleSet } from "../localist/rules.js";
import type { LocalistModel } from "../workflows/loadedModel.js";
import { analyse, dialOf, type TextWindow } from "./analysis.js";

/** Entropy (left axis), pointer and certified fidelity (right axis) at each dial. Borrows the model. */
export function sweepChart(
  model: LocalistModel,
  window: TextWindow,
  options: {
    dials: number[];
    schedule: Schedule;
    rules: RuleSet;
    title: string;
    width?: number;
    height?: number;
  },
): string {
  const rows = options.dials.map(
    (value) =>
      analyse(model, window, dialOf(model, { value, schedule: options.schedule }), options.rules)
        .overall,
  );
  return lineChart(
    options.dials,
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
