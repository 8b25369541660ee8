/**
 * The configurations of the set models (docs/math.md#the-set-transformer, docs/math.md#deep-sets):
 * the architecture only, frozen and validated once on entry with messages that name the field.
 *
 * - `transformer`: input projection, L pre-LayerNorm encoder blocks of set attention (global, or
 *   k-NN-local in sample space) and a GELU MLP, no positional encoding; pooling by attention from
 *   S learned seed queries (PMA) or by the mean over the members; an MLP head. Optional P learned
 *   prompt tokens prepended to the set, and rank-r LoRA adapters on the attention projections.
 * - `deepsets`: ρ(mean_s φ(x_s)) with MLPs φ (L hidden layers of width D) and ρ (one hidden layer
 *   of width F).
 */
import { check, checkInteger } from "../engine/errors.js";

/**
 * Set attention over all members ("global"), or over each member's k nearest members in sample
 * space ("knn").
 */
export type SetAttentionKind = { kind: "global" } | { kind: "knn"; k: number };
export const SET_POOLINGS = ["pma", "mean"] as const;
export type SetPooling = (typeof SET_POOLINGS)[number];

/**
 * The architecture of a set transformer (docs/math.md#the-set-transformer): projection, L encoder
 * blocks of set attention, pooling (PMA or mean) and an MLP head; optional prompt tokens and LoRA
 * adapters.
 */
export interface SetTransformerConfig {
  /** Which set model: the transformer. */
  readonly model: "transformer";
  /** d: features per sample. */
  readonly inputDim: number;
  /** O: outputs per set. */
  readonly outputs: number;
  /** L encoder blocks (0 allowed: pooling straight from the projected samples). */
  readonly layers: number;
  /** H */
  readonly heads: number;
  /** D */
  readonly dModel: number;
  /** F: MLP width in the blocks and the head. */
  readonly dMlp: number;
  /** Global or k-NN-local set attention. */
  readonly attention: SetAttentionKind;
  /** "pma" (attention from S learned seed queries) or "mean" (the mean over the members). */
  readonly pooling: SetPooling;
  /** S seed queries of PMA; the head maps each pooled seed to O/S outputs (1 for mean pooling). */
  readonly seeds: number;
  /** P learned prompt tokens prepended to every set (0: none). */
  readonly prompts: number;
  /** r of the LoRA adapters W + A·B on every attention projection (0: none). */
  readonly loraRank: number;
}

/**
 * The architecture of a Deep Sets model (docs/math.md#deep-sets): ρ(mean_s φ(x_s)) with MLPs φ and
 * ρ.
 */
export interface DeepSetsConfig {
  /** Which set model: Deep Sets. */
  readonly model: "deepsets";
  /** d: features per sample. */
  readonly inputDim: number;
  /** O: outputs per set. */
  readonly outputs: number;
  /** Hidden layers of φ (each of width D). */
  readonly layers: number;
  /** D: the width of φ and of the pooled representation. */
  readonly dModel: number;
  /** F: the hidden width of ρ. */
  readonly dMlp: number;
}

/**
 * The architecture of a set model: a set transformer or Deep Sets. `validateSetModelConfig` checks
 * one.
 */
export type SetModelConfig = SetTransformerConfig | DeepSetsConfig;

/** Widths and counts beyond these are refused (memory, not mathematics). */
export const SET_MODEL_LIMITS = { width: 4096, layers: 64, heads: 256, tokens: 1024 } as const;

/** Checks a set model's configuration; returns it frozen. */
export function validateSetModelConfig<C extends SetModelConfig>(config: C): Readonly<C> {
  const { width, layers, heads, tokens } = SET_MODEL_LIMITS;
  checkInteger("the input dimension", config.inputDim, 1, 1 << 16);
  checkInteger("the number of outputs", config.outputs, 1, 1 << 16);
  checkInteger("the width (d-model)", config.dModel, 1, width);
  checkInteger("the MLP width", config.dMlp, 1, 4 * width);
  if (config.model === "deepsets") {
    checkInteger("the number of φ layers", config.layers, 1, layers);
    return Object.freeze({ ...config }) as Readonly<C>;
  }
  checkInteger("the number of layers", config.layers, 0, layers);
  checkInteger("the number of heads", config.heads, 1, heads);
  check(
    config.dModel % config.heads === 0,
    `the width ${config.dModel} must be a multiple of the number of heads ${config.heads}`,
  );
  if (config.attention.kind === "knn")
    checkInteger("k of k-NN attention", config.attention.k, 1, tokens);
  check(
    (SET_POOLINGS as readonly string[]).includes(config.pooling),
    `pooling must be one of ${SET_POOLINGS.join(", ")}, got '${config.pooling}'`,
  );
  checkInteger("the number of PMA seeds", config.seeds, 1, tokens);
  check(
    config.pooling === "pma" || config.seeds === 1,
    "mean pooling has one pooled vector; seeds must be 1",
  );
  check(
    config.outputs % config.seeds === 0,
    `the ${config.outputs} outputs must split evenly over the ${config.seeds} PMA seeds`,
  );
  checkInteger("the number of prompt tokens", config.prompts, 0, tokens);
  checkInteger("the LoRA rank", config.loraRank, 0, config.dModel);
  return Object.freeze({
    ...config,
    attention: Object.freeze({ ...config.attention }),
  }) as Readonly<C>;
}
