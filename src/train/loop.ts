/**
 * The one training loop, for every model here (language models, recognizers, set models): from a
 * step's loss and gradients it runs the optimizer, watches for divergence, saves checkpoints and
 * reports each step. What a step computes (batches, hooks, the loss) is the caller's `gradients`.
 *
 * A loss that is not finite stops the run with a one-line error naming the step and the last
 * checkpoint saved (which is kept); the loop frees its arrays on the way out.
 */
import { LocalistError } from "../engine/errors.js";
import { tree, type JaxArray } from "../engine/engine.js";
import type { ParamMap } from "../model/params.js";
import { disposeOptimizerState, type Optimizer, type OptimizerState } from "./optimizer.js";

/** What one step computes: the loss, the gradients, and named scalar values to report. */
export interface StepGradients {
  /** Scalar total loss. */
  loss: JaxArray;
  grads: ParamMap;
  /** e.g. { crossEntropy, penalty }: scalars reported with the step. */
  values?: Record<string, JaxArray>;
}

export interface StepRecord {
  /** Steps completed, counting this one. */
  step: number;
  loss: number;
  learningRate: number;
  gradNorm: number;
  values: Record<string, number>;
  /** Seconds since this run (or resumption) began. */
  seconds: number;
  /** Units (tokens, strings) per second since this run began. */
  throughput: number;
}

export interface TrainingLoop {
  /** Parameters to start from; the loop owns them from here on. */
  params: ParamMap;
  optimizer: Optimizer;
  /** A resumed optimizer state (owned by the loop); default `optimizer.init(params)`. */
  state?: OptimizerState;
  /** Steps already completed (0, or the step resumed from) and the step to stop at. */
  start: number;
  steps: number;
  /** The loss and gradients at `step` (0-based); borrow the parameters with `tree.ref`. */
  gradients(params: ParamMap, step: number): StepGradients;
  /** Units (tokens, strings) processed per step, for the throughput. */
  unitsPerStep?: number;
  /** Save every `every` steps and after the last; `folder` is named when the run diverges. */
  checkpoint?: {
    every: number;
    folder: string;
    save(params: ParamMap, state: OptimizerState, step: number): void;
  };
  /** After every step: metrics log, progress display, monitors. */
  onStep?(record: StepRecord): void;
  /** What to try when the loss diverges, e.g. "lower --lr". */
  divergenceHint?: string;
}

export interface LoopResult {
  /** The trained parameters and optimizer state, now owned by the caller. */
  params: ParamMap;
  state: OptimizerState;
  steps: number;
  lastLoss: number;
  seconds: number;
  throughput: number;
}

function scalar(x: JaxArray): number {
  return (x.dataSync() as ArrayLike<number>)[0];
}

export function runTrainingLoop(loop: TrainingLoop): LoopResult {
  const { optimizer } = loop;
  let params = loop.params;
  let state = loop.state ?? optimizer.init(params);
  let step = loop.start;
  let lastSaved = loop.checkpoint ? loop.start : undefined;
  let lastLoss = NaN;
  const began = performance.now();
  const elapsed = () => (performance.now() - began) / 1000;
  const throughput = () =>
    ((step - loop.start) * (loop.unitsPerStep ?? 1)) / Math.max(elapsed(), 1e-9);
  try {
    while (step < loop.steps) {
      const { loss, grads, values = {} } = loop.gradients(params, step);
      const lossValue = scalar(loss);
      const reported = Object.fromEntries(
        Object.entries(values).map(([name, value]) => [name, scalar(value)]),
      );
      if (!Number.isFinite(lossValue)) {
        tree.dispose(grads);
        const kept =
          loop.checkpoint && lastSaved !== undefined
            ? `, and the last good checkpoint (step ${lastSaved}) is kept in ${loop.checkpoint.folder}`
            : "";
        throw new LocalistError(
          `the training loss became ${lossValue} at step ${step + 1}; stopped${kept}; ${loop.divergenceHint ?? "lower the learning rate"}`,
        );
      }
      const update = optimizer.update(grads, state, params);
      params = update.params;
      state = update.state;
      const gradNorm = scalar(update.gradNorm);
      step++;
      lastLoss = lossValue;
      loop.onStep?.({
        step,
        loss: lossValue,
        learningRate: update.learningRate,
        gradNorm,
        values: reported,
        seconds: elapsed(),
        throughput: throughput(),
      });
      if (loop.checkpoint && (step % loop.checkpoint.every === 0 || step === loop.steps)) {
        loop.checkpoint.save(params, state, step);
        lastSaved = step;
      }
    }
  } catch (error) {
    tree.dispose(params);
    disposeOptimizerState(state);
    throw error;
  }
  return {
    params,
    state,
    steps: step,
    lastLoss,
    seconds: elapsed(),
    throughput: throughput(),
  };
}
