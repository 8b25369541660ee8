/**
 * The Lab's sweep runs one dial's pass at a time, so that the worker answers a slider moved during
 * a sweep after one pass instead of after all of them: taken in turns it draws the same chart as
 * in one go, waits for `between` between every two passes, and when `between` says stop it stops
 * there, disposing of its session and leaving the model usable.
 */
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { initEngine } from "../../src/engine/engine.js";
import { LocalistModel } from "../../src/lm/node.js";
import { textWindow } from "../../src/lab/analysis.js";
import { sweepChart, sweepChartInTurns, type SweepOptions } from "../../src/lab/sweepChart.js";
import { LAB_MODEL } from "../helpers/lab.js";

let model: LocalistModel;
const options: SweepOptions = {
  dials: [0, 0.25, 0.5, 0.75, 1],
  schedule: "uniform",
  rules: [],
  title: "this text",
};

before(async () => {
  await initEngine();
  model = LocalistModel.open(LAB_MODEL);
});

after(() => model.dispose());

test("a sweep taken in turns draws the chart of the sweep in one go, pausing between passes", async () => {
  const window = textWindow(model, "the man said that the people of the state would work .");
  const whole = sweepChart(model, window, options);
  let pauses = 0;
  const inTurns = await sweepChartInTurns(model, window, options, async () => {
    pauses++;
    await new Promise((resolve) => setTimeout(resolve, 0));
    return true;
  });
  assert.equal(inTurns, whole);
  assert.equal(pauses, options.dials.length - 1, "one pause between every two passes");
  assert.match(whole, /^<svg/);
});

test("a sweep told to stop stops after that pass and disposes of its session", async () => {
  const window = textWindow(model, "the man said that the people of the state would work .");
  // Watch the sessions the sweep opens: each must be disposed of (it holds engine arrays).
  const opened: { disposed: boolean }[] = [];
  const explainSession = model.explainSession.bind(model);
  model.explainSession = (...args) => {
    const session = explainSession(...args);
    const watched = { disposed: false };
    opened.push(watched);
    const dispose = session.dispose.bind(session);
    session.dispose = () => ((watched.disposed = true), dispose());
    return session;
  };
  let passes = 0;
  try {
    const stopped = await sweepChartInTurns(model, window, options, async () => ++passes < 2);
    assert.equal(stopped, undefined);
  } finally {
    model.explainSession = explainSession;
  }
  assert.equal(passes, 2, "asked once after each of the first two passes, then stopped");
  assert.deepEqual(opened, [{ disposed: true }], "one session, disposed of");
  // The model still explains and sweeps after an abandoned sweep.
  assert.match(sweepChart(model, window, options), /^<svg/);
});
