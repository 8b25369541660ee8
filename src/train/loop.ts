/**
 * The one training loop, for every model here (language models, recognizers, set models): from a
 * step's loss and gradients it runs the optimizer, watches for divergence, saves checkpoints and
 * reports each step. What a step computes (batches, hooks, the loss) is the caller's `gradients`.
 *
 * A checkpoint is saved only once it is known to be good: parameters θ_s (after s updates) are
 * written when the loss they give on the next batch is finite and every parameter is finite, so a
 * run that diverges never keeps a checkpoint whose own loss is NaN. The last checkpoint of a run is
 * vouched for by one more loss evaluation. A loss or a parameter that is not finite stops the run
 * with one line naming the step, what diverged and the last good checkpoint (which is kept); the
 * loop frees its arrays on the way out.
 *
 * Values are read back asynchronously (`readAsync`): that is what lets the engine run a step's
 * kernels on its compute threads (src/engine/threads.ts); on one thread it changes nothing.
 */
import { LocalistError } from "../engine/errors.js";
import { readAsync, tree, type JaxArray } from "../engine/engine.js";
import type { ParamMap } from "../model/params.js";
import { disposeOptimizerState, type Optimizer, type OptimizerState } from "./optimizer.js";

/** What one step computes: the loss, the gradients, and named scalar values to report. */
export interface StepGradients {
  /** Scalar total loss. */
  loss: JaxArray;
  /** ∂loss/∂θ, one array per parameter (consumed by the optimizer). */
  grads: ParamMap;
  /** e.g. { crossEntropy, penalty }: scalars reported with the step. */
  values?: Record<string, JaxArray>;
}

/**
 * What one training step reports: the loss, the learning rate, the gradient norm, the hooks'
 * values, the time and the throughput.
 */
export interface StepRecord {
  /** Steps completed, counting this one. */
  step: number;
  /** The loss of the parameters before this step's update, on this step's batch. */
  loss: number;
  /** η_t used by this step's update. */
  learningRate: number;
  /** ‖g‖, the global gradient norm before clipping. */
  gradNorm: number;
  /** The step's named values (e.g. the cross-entropy and the penalty), read back. */
  values: Record<string, number>;
  /** Seconds since this run (or resumption) began. */
  seconds: number;
  /** Units (tokens, strings) per second since this run began. */
  throughput: number;
}

/** What to try when a run diverges: by the name of the value that went non-finite, and otherwise. */
export interface DivergenceHints {
  /** e.g. { penalty: "lower `localist.training.penalty`" } (fields in backquotes, as errors name them). */
  values?: Record<string, string>;
  /** When the parameters become non-finite in an update. */
  parameters?: string;
  /** When nothing more specific applies. */
  otherwise: string;
}

/**
 * A training run for `runTrainingLoop`: the parameters, the optimizer, the steps, what a step
 * computes, checkpoints and reports.
 */
export interface TrainingLoop {
  /** Parameters to start from; the loop owns them from here on. */
  params: ParamMap;
  /** The optimizer (e.g. `adamw`). */
  optimizer: Optimizer;
  /** A resumed optimizer state (owned by the loop); default `optimizer.init(params)`. */
  state?: OptimizerState;
  /** Steps already completed (0, or the step resumed from) and the step to stop at. */
  start: number;
  /** The step count to stop at: the run takes `steps − start` steps. */
  steps: number;
  /** The loss and gradients at `step` (0-based); borrow the parameters with `tree.ref`. */
  gradients(params: ParamMap, step: number): StepGradients | Promise<StepGradients>;
  /** Units (tokens, strings) processed per step, for the throughput. */
  unitsPerStep?: number;
  /** Save every `every` steps and after the last; `folder` is named when the run diverges. */
  checkpoint?: {
    every: number;
    folder: string;
    /** Writes θ_step and the optimizer state (borrowed) as the checkpoint of `step`. */
    save(params: ParamMap, state: OptimizerState, step: number): void;
  };
  /** After every step: metrics log, progress display, monitors. */
  onStep?(record: StepRecord): void;
  /** What the stop message suggests when the run diverges (default: lower the learning rate). */
  hints?: DivergenceHints;
}

/**
 * What `runTrainingLoop` returns: the trained parameters and optimizer state (now the caller's) and
 * the run's figures.
 */
export interface LoopResult {
  /** The trained parameters and optimizer state, now owned by the caller. */
  params: ParamMap;
  /** The optimizer state after the last step. */
  state: OptimizerState;
  /** Steps completed, counting those of a resumed run. */
  steps: number;
  /** The loss of the last step. */
  lastLoss: number;
  /** Seconds this run (or resumption) took. */
  seconds: number;
  /** Units (tokens, strings) per second. */
  throughput: number;
}

async function read(x: JaxArray): Promise<number[]> {
  return Array.from(await readAsync(x));
}

const format = (x: number) => (Number.isFinite(x) ? x.toPrecision(4) : String(x));

/**
 * Runs `loop.steps − loop.start` optimizer steps on the gradients `loop.gradients` computes,
 * stopping with one line on a non-finite loss or parameter (the last good checkpoint kept), saving
 * checkpoints only once a later loss vouches for them, and reporting every step. Takes ownership of
 * the parameters; returns the trained ones.
 */
export async function runTrainingLoop(loop: TrainingLoop): Promise<LoopResult> {
  const { optimizer, checkpoint } = loop;
  const hints = loop.hints ?? { otherwise: "lower the learning rate" };
  let params = loop.params;
  let state = loop.state ?? optimizer.init(params);
  let step = loop.start;
  /** The last step saved (a resumed run's checkpoint exists already). */
  let lastSaved = checkpoint && loop.state ? loop.start : undefined;
  /** θ_step is due to be saved, once its loss shows it is good. */
  let due = false;
  let lastLoss = NaN;
  /** The lowest loss so far and its step, to say how far a diverging run had climbed. */
  let best = { loss: Infinity, step: 0 };
  const began = performance.now();
  const elapsed = () => (performance.now() - began) / 1000;
  const throughput = () =>
    ((step - loop.start) * (loop.unitsPerStep ?? 1)) / Math.max(elapsed(), 1e-9);

  const stop = (what: string, hint: string): never => {
    let kept = "";
    if (checkpoint)
      kept =
        lastSaved === undefined
          ? ", and no checkpoint had been saved yet"
          : `, and the last good checkpoint (step ${lastSaved}) is kept in ${checkpoint.folder}`;
    throw new LocalistError(`${what}; stopped${kept}; ${hint}`);
  };
  /** The loss of θ_step on the batch of `step`, its gradients and values; stops if not finite. */
  const evaluate = async (at: number) => {
    const { loss, grads, values = {} } = await loop.gradients(params, at);
    const lossValue = (await read(loss))[0];
    const reported: Record<string, number> = {};
    for (const [name, value] of Object.entries(values)) reported[name] = (await read(value))[0];
    if (!Number.isFinite(lossValue)) {
      tree.dispose(grads);
      const detail = Object.entries(reported)
        .map(([name, value]) => `${name} ${format(value)}`)
        .join(", ");
      const culprit = Object.keys(hints.values ?? {}).find(
        (name) => name in reported && !Number.isFinite(reported[name]),
      );
      const climb =
        lastLoss > 10 * best.loss
          ? `; it had risen from ${format(best.loss)} at step ${best.step} to ${format(lastLoss)} at step ${at}`
          : "";
      stop(
        `the training loss became ${lossValue} at step ${at + 1}${detail ? ` (${detail})` : ""}${climb}`,
        culprit ? (hints.values as Record<string, string>)[culprit] : hints.otherwise,
      );
    }
    return { lossValue, grads, reported };
  };
  const saveIfDue = () => {
    if (!checkpoint || !due) return;
    checkpoint.save(params, state, step);
    lastSaved = step;
    due = false;
  };

  try {
    while (step < loop.steps) {
      const { lossValue, grads, reported } = await evaluate(step);
      saveIfDue(); // θ_step gave a finite loss: it is good
      const update = optimizer.update(grads, state, params);
      params = update.params;
      state = update.state;
      const [gradNorm, nonFinite] = await read(update.health);
      if (nonFinite > 0)
        stop(
          `${nonFinite} parameters became non-finite in the update of step ${step + 1} (gradient norm ${format(gradNorm)} before clipping)`,
          hints.parameters ?? hints.otherwise,
        );
      step++;
      lastLoss = lossValue;
      if (lossValue < best.loss) best = { loss: lossValue, step };
      loop.onStep?.({
        step,
        loss: lossValue,
        learningRate: update.learningRate,
        gradNorm,
        values: reported,
        seconds: elapsed(),
        throughput: throughput(),
      });
      if (checkpoint && (step % checkpoint.every === 0 || step === loop.steps)) due = true;
    }
    if (due) {
      // The last parameters have no next step: one more loss evaluation vouches for them.
      tree.dispose((await evaluate(step)).grads);
      saveIfDue();
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
