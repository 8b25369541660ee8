/**
 * How a language model is trained: stored as the `training` entry of its checkpoint, so that
 * `--resume` continues the same run.
 */
import { LocalistError } from "../engine/errors.js";
import { decays } from "../model/params.js";
import { adamw, type Optimizer } from "./optimizer.js";
import { warmupCosine } from "./schedule.js";

export interface TrainSettings {
  steps: number;
  batch: number;
  learningRate: number;
  warmup: number;
  seed: number;
  weightDecay: number;
  clipNorm: number;
  checkpointEvery: number;
}

/** The AdamW constants of every model here (β₂ = 0.95, as in GPT-2 and nanoGPT training). */
export const ADAMW_BETAS = { beta1: 0.9, beta2: 0.95, epsilon: 1e-8 } as const;

/**
 * The optimizer of a training run: AdamW with ADAMW_BETAS (β₂ may be overridden), weight decay on
 * the weight matrices, global-norm clipping, and a linear warm-up then cosine learning rate.
 */
export function runOptimizer(
  settings: Pick<
    TrainSettings,
    "learningRate" | "warmup" | "steps" | "weightDecay" | "clipNorm"
  > & {
    beta2?: number;
  },
): Optimizer {
  return adamw({
    ...ADAMW_BETAS,
    beta2: settings.beta2 ?? ADAMW_BETAS.beta2,
    learningRate: warmupCosine({
      peak: settings.learningRate,
      warmup: settings.warmup,
      total: settings.steps,
    }),
    weightDecay: settings.weightDecay,
    decays,
    clipNorm: settings.clipNorm,
  });
}

const FIELDS: Record<keyof TrainSettings, { min: number; integer: boolean; open?: boolean }> = {
  steps: { min: 1, integer: true },
  batch: { min: 1, integer: true },
  learningRate: { min: 0, integer: false, open: true },
  warmup: { min: 0, integer: true },
  seed: { min: -Number.MAX_SAFE_INTEGER, integer: true },
  weightDecay: { min: 0, integer: false },
  clipNorm: { min: 0, integer: false, open: true },
  checkpointEvery: { min: 1, integer: true },
};

/** The settings as read from a checkpoint, checked field by field; errors name `where`. */
export function parseTrainSettings(value: unknown, where: string): TrainSettings {
  const o = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const settings = {} as TrainSettings;
  for (const [field, rule] of Object.entries(FIELDS) as [
    keyof TrainSettings,
    (typeof FIELDS)["steps"],
  ][]) {
    const x = o[field];
    const ok =
      typeof x === "number" &&
      Number.isFinite(x) &&
      (!rule.integer || Number.isInteger(x)) &&
      (rule.open ? x > rule.min : x >= rule.min);
    if (!ok)
      throw new LocalistError(
        `${where}: training.${field} must be ${rule.integer ? "an integer" : "a number"} ${rule.open ? ">" : "≥"} ${rule.min}, got ${JSON.stringify(x) ?? "nothing"}`,
      );
    settings[field] = x as number;
  }
  return settings;
}
