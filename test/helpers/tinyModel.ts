/**
 * The training flags of the tiny models the command-line tests train, written once. The defaults
 * make the smallest model a command accepts (one layer, two heads, width 8, context 8, batch 2);
 * SMALL_MODEL is the size that learns something on the synthetic corpus in a few dozen steps.
 */

/** A tiny training run's sizes and optimizer settings; each becomes its `localist train` flag. */
export interface TinyTrain {
  corpus?: string;
  layers?: number;
  heads?: number;
  dModel?: number;
  context?: number;
  batch?: number;
  warmup?: number;
  lr?: number;
  steps?: number;
  seed?: number;
  checkpointEvery?: number;
  out?: string;
}

const FLAGS: Record<keyof TinyTrain, string> = {
  corpus: "--corpus",
  layers: "--layers",
  heads: "--heads",
  dModel: "--d-model",
  context: "--context",
  batch: "--batch",
  warmup: "--warmup",
  lr: "--lr",
  steps: "--steps",
  seed: "--seed",
  checkpointEvery: "--checkpoint-every",
  out: "--out",
};

/** The smallest model: one layer, two heads, width 8, context 8, batch 2. */
export const TINY_MODEL = { layers: 1, heads: 2, dModel: 8, context: 8, batch: 2 } as const;

/** Width 16, context 16, batch 4: enough to lower the loss in 20–60 steps. */
export const SMALL_MODEL = { dModel: 16, context: 16, batch: 4 } as const;

/**
 * `localist train` flags for TINY_MODEL with `overrides` (e.g. `{ ...SMALL_MODEL, steps: 20 }`),
 * in a fixed order; settings left undefined are left to the command's defaults.
 */
export function tinyTrainArgs(overrides: TinyTrain = {}): string[] {
  const settings: TinyTrain = { ...TINY_MODEL, ...overrides };
  return (Object.keys(FLAGS) as (keyof TinyTrain)[]).flatMap((key) =>
    settings[key] === undefined ? [] : [FLAGS[key], String(settings[key])],
  );
}
