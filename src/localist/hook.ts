/**
 * The localist model as one attention hook (docs/math.md#the-locality-dial): for every layer it
 * adds the dial bias λ_{ℓ,h}·b_ij, b_ij = 0 on the relevant set R_h(i) and −m elsewhere, and, in
 * training, observes the weights to accumulate the group-sparsity penalty Ω, returned as an
 * auxiliary loss term γ·Ω. The block ids of the batch and the dial enter compiled functions as
 * arguments, so one compiled graph serves every dial.
 *
 * Shapes: B batch, T positions, L layers, H heads.
 */
import { fromHost, np, type JaxArray } from "../engine/engine.js";
import { hash32 } from "../engine/random.js";
import type { ModelConfig } from "../model/config.js";
import type { AuxiliaryTerm, HookSource } from "../model/hooks.js";
import { blockIds } from "./blocks.js";
import { dialMatrix } from "./dial.js";
import { layerPenalty } from "./penalty.js";
import { dialBias, disposeRelevance, relevance } from "./relevance.js";
import type { LocalistStructure, LocalistTraining } from "./structure.js";

/** The dial of a batch: a fixed (L, H) matrix, or one per training step. */
export type DialSetting = number[][] | ((step: number) => number[][]);

/** Settings of `dialHook`: the dial and the group-sparsity penalty. */
export interface DialHookOptions {
  /** Default: λ = 0 everywhere, the distributed model. */
  dial?: DialSetting;
  /** Group-sparsity penalty weight γ; 0 (the default) computes no penalty. */
  penalty?: number;
}

/** λ = 0 in every layer and head: the model as trained without the dial. */
export function zeroDial(config: Pick<ModelConfig, "layers" | "heads">): number[][] {
  return dialMatrix(0, "uniform", config.layers, config.heads);
}

/**
 * The dial of each training step: the fixed dial, or λ drawn uniformly from the range, keyed by
 * (seed, step) so a resumed run draws the same values. A model trained without localist settings
 * gets the zero dial.
 */
export function trainingDial(
  training: LocalistTraining | undefined,
  config: Pick<ModelConfig, "layers" | "heads">,
  seed: number,
): DialSetting {
  if (!training) return zeroDial(config);
  const { dial, schedule } = training;
  if (typeof dial === "object" && !Array.isArray(dial)) {
    const [low, high] = dial.range;
    return (step) =>
      dialMatrix(
        low + (high - low) * (hash32(seed ^ 0x5bd1e995, step, 0) / 2 ** 32),
        schedule,
        config.layers,
        config.heads,
      );
  }
  return dialMatrix(dial, schedule, config.layers, config.heads);
}

/** The dial hook of a localist model. */
export function dialHook(
  structure: LocalistStructure,
  config: ModelConfig,
  options: DialHookOptions = {},
): HookSource<{ blocks: JaxArray; dial: JaxArray }> {
  const setting = options.dial ?? zeroDial(config);
  const gamma = options.penalty ?? 0;
  return {
    name: "dial",
    inputs({ tokens, batch, length, step, blocks }) {
      const dial = typeof setting === "function" ? setting(step) : setting;
      const ids = blockIds(structure.blocks, tokens, length, blocks);
      return {
        blocks: fromHost(ids, [batch, length], np.int32), // (B, T)
        dial: fromHost(dial.flat(), [config.layers, config.heads], np.float32), // (L, H)
      };
    },
    attach({ blocks, dial }) {
      const length = blocks.shape[1];
      const rel = relevance(blocks, config, structure.routing);
      let penalty: JaxArray | undefined;
      return {
        bias: (layer) => dialBias(rel, dial, layer, structure.margin, config),
        observe:
          gamma > 0
            ? (_layer, attention) => {
                const p = layerPenalty(attention, rel, length, config.heads);
                penalty = penalty === undefined ? p : penalty.add(p);
              }
            : undefined,
        finish(): AuxiliaryTerm[] {
          disposeRelevance(rel);
          dial.dispose();
          if (penalty === undefined) return [];
          return [{ name: "penalty", value: penalty.mul(1 / config.layers), weight: gamma }];
        },
      };
    },
  };
}
