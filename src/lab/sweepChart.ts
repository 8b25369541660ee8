/** The sweep of the dial on one window, as the SVG chart the sweep command draws. */
import type { Schedule } from "../localist/dial.js";
import type { RuleSet } from "../localist/rules.js";
import { sweepChart as drawSweep } from "../localist/sweepChart.js";
import type { LocalistModel } from "../lm/localistModel.js";
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
  const session = model.explainSession(window, { rules: options.rules });
  try {
    const rows = options.dials.map(
      (value) =>
        analyse(
          model,
          session,
          window,
          dialOf(model.config, { value, schedule: options.schedule }),
          options.rules,
        ).overall,
    );
    return drawSweep(
      options.dials.map((dial, i) => ({ dial, ...rows[i] })),
      options,
    );
  } finally {
    session.dispose();
  }
}
