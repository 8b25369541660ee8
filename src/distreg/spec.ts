/**
 * What a DistributionRegressor is asked to be, as data: the model, its architecture and training,
 * the validation fraction and the seed. The rules are written once, here (RULES), and checked once
 * on entry; a mistake is a FieldError that names the field, the allowed values and the value
 * received (`width must be an integer in [1, 1024], got 0`), which a front end re-words with its
 * own names for the fields.
 */
import { SET_POOLINGS, type SetPooling } from "../model/setConfig.js";
import { DEFAULT_SET_TRAINING } from "../train/setModel.js";
import { MAX_SEED } from "../train/settings.js";
import { checkFields } from "./fieldError.js";
import { MODEL_NAMES, type ModelName, type NeuralSettings } from "./models.js";

/** The KME model's heads: kernel ridge alone, or with its Gaussian-process predictive deviations. */
export const KME_HEADS = ["ridge", "gp"] as const;
/** One of KME_HEADS. */
export type KmeHead = (typeof KME_HEADS)[number];

/** A regressor's specification; every field but `model` has a default. */
export interface RegressorSpec {
  model: ModelName;
  /** D of the set transformer; Deep Sets gets 2D. */
  width?: number;
  /** Encoder blocks of the set transformer. */
  layers?: number;
  heads?: number;
  /** Neighbours of k-NN-local attention. */
  k?: number;
  pooling?: SetPooling;
  /** Optimizer steps of a neural model. */
  steps?: number;
  /** Bags per step. */
  batch?: number;
  /** Peak learning rate. */
  learningRate?: number;
  /** The fraction of bags held out for early stopping and the validation report, in [0, 0.5]. */
  validation?: number;
  /** Seeds the validation split, the initialization, the batches and KME's folds. */
  seed?: number;
  /** KME only: ridge, or ridge with Gaussian-process standard deviations. */
  head?: KmeHead;
}

/** A specification with every field set and checked. */
export type ResolvedSpec = Readonly<Required<RegressorSpec>>;

/** Every field's default: the experiments' architecture, 300 steps, 20% validation, seed 1, the GP head. */
export const DEFAULT_SPEC: Omit<ResolvedSpec, "model"> = {
  width: 32,
  layers: 2,
  heads: 4,
  k: 8,
  pooling: "pma",
  steps: 300,
  batch: DEFAULT_SET_TRAINING.batch,
  learningRate: DEFAULT_SET_TRAINING.learningRate,
  validation: 0.2,
  seed: 1,
  head: "gp",
};

type Rule =
  | { kind: "integer"; min: number; max: number }
  | { kind: "number"; min: number; max: number }
  | { kind: "choice"; choices: readonly string[] };

/** The rule of every field: sklearn-style parameter constraints, as data. */
export const RULES: Record<keyof RegressorSpec, Rule> = {
  model: { kind: "choice", choices: MODEL_NAMES },
  width: { kind: "integer", min: 1, max: 1024 },
  layers: { kind: "integer", min: 0, max: 16 },
  heads: { kind: "integer", min: 1, max: 64 },
  k: { kind: "integer", min: 1, max: 4096 },
  pooling: { kind: "choice", choices: SET_POOLINGS },
  steps: { kind: "integer", min: 1, max: 1_000_000 },
  batch: { kind: "integer", min: 1, max: 4096 },
  learningRate: { kind: "number", min: 1e-7, max: 10 },
  validation: { kind: "number", min: 0, max: 0.5 },
  seed: { kind: "integer", min: 0, max: MAX_SEED },
  head: { kind: "choice", choices: KME_HEADS },
};

function checkRule(field: string, rule: Rule, value: unknown): void {
  if (rule.kind === "choice") {
    checkFields(
      typeof value === "string" && rule.choices.includes(value),
      (name) =>
        `${name(field)} must be one of ${rule.choices.join(", ")}, got ${JSON.stringify(value)}`,
    );
    return;
  }
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (rule.kind === "number" || Number.isInteger(value)) &&
    value >= rule.min &&
    value <= rule.max;
  checkFields(
    ok,
    (name) =>
      `${name(field)} must be ${rule.kind === "integer" ? "an integer" : "a number"} in [${rule.min}, ${rule.max}], got ${JSON.stringify(value)}`,
  );
}

/** The specification with defaults filled in, every field checked against its rule. */
export function resolveSpec(spec: RegressorSpec): ResolvedSpec {
  const given = Object.entries(spec).filter(([, value]) => value !== undefined);
  const resolved = { ...DEFAULT_SPEC, ...Object.fromEntries(given) } as Record<string, unknown>;
  for (const field of Object.keys(resolved))
    checkFields(field in RULES, (name) => `there is no field ${name(field)} in a regressor spec`);
  for (const [field, rule] of Object.entries(RULES)) checkRule(field, rule, resolved[field]);
  checkFields(
    spec.model === "kme" ||
      spec.model === "deepsets" ||
      (resolved.width as number) % (resolved.heads as number) === 0,
    (name) =>
      `${name("width")} ${String(resolved.width)} must be a multiple of ${name("heads")} ${String(resolved.heads)}`,
  );
  return Object.freeze(resolved) as ResolvedSpec;
}

/** The set models' settings of a specification (warm-up: a tenth of the steps, at most 20). */
export function neuralSettingsOf(spec: ResolvedSpec): NeuralSettings {
  return {
    width: spec.width,
    layers: spec.layers,
    heads: spec.heads,
    k: spec.k,
    pooling: spec.pooling,
    training: {
      ...DEFAULT_SET_TRAINING,
      steps: spec.steps,
      batch: spec.batch,
      evalBatch: spec.batch,
      learningRate: spec.learningRate,
      warmup: Math.min(DEFAULT_SET_TRAINING.warmup, Math.floor(spec.steps / 10)),
    },
  };
}
