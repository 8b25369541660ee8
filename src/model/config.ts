/**
 * The transformer's configuration: the architecture only (the dial's blocks and routing are the
 * localist model's own checkpoint entry). Frozen, typed, saved inside every checkpoint, and
 * validated once on entry with messages that name the field, the allowed values and the value
 * received.
 */
import { z } from "zod";
import { check, checkInteger } from "../engine/errors.js";

/**
 * The position encodings a model may use: none, learned, sinusoidal (added to the token embeddings)
 * or rotary (RoPE, applied to queries and keys).
 */
export const POSITIONAL_ENCODINGS = ["none", "learned", "sinusoidal", "rotary"] as const;
/** One of `POSITIONAL_ENCODINGS`. */
export type PositionalEncoding = (typeof POSITIONAL_ENCODINGS)[number];

/** Attention per layer: all heads global, all W-local, or hybrid (first ⌈H/2⌉ heads local). */
export type AttentionSpec =
  { kind: "global" } | { kind: "local"; window: number } | { kind: "hybrid"; window: number };

/**
 * The architecture of a transformer (nanoGPT's config, frozen): saved in every checkpoint, and the
 * checkpoint's copy is what loading builds. `validateModelConfig` checks one.
 */
export interface ModelConfig {
  /** V, the token ids the embedding and the output layer cover. */
  readonly vocabSize: number;
  /** T, the longest window of tokens the model reads. */
  readonly context: number;
  /** L, the transformer blocks. */
  readonly layers: number;
  /** H, the attention heads per layer (dModel must be a multiple of H). */
  readonly heads: number;
  /** D, the width of the residual stream; each head has E = D/H dimensions. */
  readonly dModel: number;
  /** The hidden width of each block's MLP (4D in GPT-2). */
  readonly dMlp: number;
  /** Global, W-local or hybrid attention in every layer. */
  readonly attention: AttentionSpec;
  /**
   * How positions enter: none, learned or sinusoidal embeddings added to the tokens', or rotary
   * (RoPE) on queries and keys.
   */
  readonly positional: PositionalEncoding;
  /** Strict causal masking: a query sees only earlier positions. */
  readonly strict: boolean;
  /** When set, a recognizer: a classification head with this many classes reads the last position. */
  readonly classes?: number;
}

const count = (min: number) => z.number().int().min(min);

/** A model config as read from JSON: every field's type and range (cross-field rules: below). */
export const MODEL_CONFIG_SCHEMA = z.object({
  vocabSize: count(2),
  context: count(1),
  layers: count(1),
  heads: count(1),
  dModel: count(1),
  dMlp: count(1),
  attention: z.discriminatedUnion("kind", [
    z.object({ kind: z.literal("global") }),
    z.object({ kind: z.literal("local"), window: count(1) }),
    z.object({ kind: z.literal("hybrid"), window: count(1) }),
  ]),
  positional: z.enum(POSITIONAL_ENCODINGS),
  strict: z.boolean(),
  classes: count(2).optional(),
});

/** Parses `global`, `local:K` or `hybrid:K`. */
export function parseAttentionSpec(text: string): AttentionSpec {
  if (text === "global") return { kind: "global" };
  const match = /^(local|hybrid):(\d+)$/.exec(text);
  check(
    match !== null,
    `attention must be global, local:K or hybrid:K (K a positive integer), got '${text}'`,
  );
  const window = Number(match[2]);
  check(window >= 1, `attention ${match[1]}:K needs a window K ≥ 1, got ${window}`);
  return { kind: match[1] as "local" | "hybrid", window };
}

export function formatAttentionSpec(spec: AttentionSpec): string {
  return spec.kind === "global" ? "global" : `${spec.kind}:${spec.window}`;
}

/** Which heads of a layer are local: the first ⌈H/2⌉ for hybrid, all for local, none for global. */
export function localHeadCount(config: Pick<ModelConfig, "attention" | "heads">): number {
  switch (config.attention.kind) {
    case "global":
      return 0;
    case "local":
      return config.heads;
    case "hybrid":
      return Math.ceil(config.heads / 2);
  }
}

/** The window W of the local heads (0 when every head is global). */
export function localWindow(config: Pick<ModelConfig, "attention">): number {
  return config.attention.kind === "global" ? 0 : config.attention.window;
}

/** Validates a config (from flags or from a checkpoint) and returns it frozen. */
export function validateModelConfig(config: ModelConfig): Readonly<ModelConfig> {
  checkInteger("vocabSize", config.vocabSize, 2);
  checkInteger("context", config.context, 1);
  checkInteger("layers", config.layers, 1);
  checkInteger("heads", config.heads, 1);
  checkInteger("dModel", config.dModel, 1);
  checkInteger("dMlp", config.dMlp, 1);
  check(
    config.dModel % config.heads === 0,
    `d-model (${config.dModel}) must be divisible by heads (${config.heads})`,
  );
  check(
    (POSITIONAL_ENCODINGS as readonly string[]).includes(config.positional),
    `positional encoding must be one of ${POSITIONAL_ENCODINGS.join(", ")}, got '${config.positional}'`,
  );
  if (config.positional === "rotary") {
    check(
      (config.dModel / config.heads) % 2 === 0,
      `rotary encoding needs an even head width, got d-model/heads = ${config.dModel / config.heads}`,
    );
  }
  check(
    ["global", "local", "hybrid"].includes(config.attention?.kind),
    () => `attention must be global, local:K or hybrid:K, got ${JSON.stringify(config.attention)}`,
  );
  if (config.attention.kind !== "global") {
    checkInteger("attention window", config.attention.window, 1);
    check(
      config.attention.window <= config.context,
      `the attention window ${config.attention.window} is longer than the context ${config.context}; use a window of at most ${config.context} (one that long already sees the whole context)`,
    );
  }
  if (config.attention.kind === "hybrid") {
    check(
      config.heads >= 2,
      `hybrid attention needs at least 2 heads (some local, some global), got ${config.heads}`,
    );
  }
  if (config.classes !== undefined) checkInteger("classes", config.classes, 2);
  const attention: AttentionSpec =
    config.attention.kind === "global"
      ? { kind: "global" }
      : { kind: config.attention.kind, window: config.attention.window };
  // Only the known fields: a config read from JSON carries nothing else along.
  return Object.freeze({
    vocabSize: config.vocabSize,
    context: config.context,
    layers: config.layers,
    heads: config.heads,
    dModel: config.dModel,
    dMlp: config.dMlp,
    attention: Object.freeze(attention),
    positional: config.positional,
    strict: config.strict === true,
    ...(config.classes === undefined ? {} : { classes: config.classes }),
  });
}
