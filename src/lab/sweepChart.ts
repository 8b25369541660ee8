/** The sweep of the dial on one window, as the SVG chart the sweep command draws. */
import type { Schedule } from "../localist/dial.js";
import type { MetricSummary } from "../localist/metrics.js";
import type { RuleSet } from "../localist/rules.js";
import { sweepChart as drawSweep } from "../localist/sweepChart.js";
import type { LocalistModel } from "../lm/localistModel.js";
import { analyse, dialOf, type TextWindow } from "./analysis.js";

export interface SweepOptions {
  dials: number[];
  schedule: Schedule;
  rules: RuleSet;
  title: string;
  width?: number;
  height?: number;
}

/** Entropy (left axis), pointer and certified fidelity (right axis) at each dial. Borrows the model. */
export function sweepChart(
  model: LocalistModel,
  window: TextWindow,
  options: SweepOptions,
): string {
  const passes = sweepPasses(model, window, options);
  for (;;) {
    const step = passes.next();
    if (step.done) return step.value;
  }
}

/**
 * `sweepChart` one dial at a time, awaiting `between()` between the dials' passes: the worker answers
 * other requests there (a slider moved during a sweep waits for one pass, not for the sweep), and
 * `between` resolving to false abandons the sweep (undefined), e.g. when a newer one was asked
 * for or the model changed. Borrows the model.
 */
export async function sweepChartInTurns(
  model: LocalistModel,
  window: TextWindow,
  options: SweepOptions,
  between: () => Promise<boolean>,
): Promise<string | undefined> {
  const passes = sweepPasses(model, window, options);
  for (;;) {
    const step = passes.next();
    if (step.done) return step.value;
    if (!(await between())) {
      passes.return(undefined as never); // runs the session's disposal
      return undefined;
    }
  }
}

/** The sweep's passes: yields between dials, returns the chart. */
function* sweepPasses(
  model: LocalistModel,
  window: TextWindow,
  options: SweepOptions,
): Generator<void, string, void> {
  const session = model.explainSession(window, { rules: options.rules });
  try {
    const rows: MetricSummary[] = [];
    for (const [i, value] of options.dials.entries()) {
      if (i > 0) yield;
      const dial = dialOf(model.config, { value, schedule: options.schedule });
      rows.push(analyse(model, session, window, dial, options.rules).overall);
    }
    return drawSweep(
      options.dials.map((dial, i) => ({ dial, ...rows[i] })),
      options,
    );
  } finally {
    session.dispose();
  }
}
