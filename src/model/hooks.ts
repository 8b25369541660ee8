/**
 * Attention hooks: how code outside the model (the locality dial, rules, anchors, inspection)
 * shapes or watches attention, without the model knowing what it is (docs/math.md#attention-hooks).
 *
 * Per layer ℓ, a hook may
 *  - add a log-bias b to the attention logits, s_ij = q_i·k_j/√E + Σ_hooks b_ij: the content
 *    kernel exp(q·k/√E) multiplied by the localizing kernel exp(b) (kernels compose by adding
 *    log-weights), and
 *  - observe the layer's weights a_ij and content scores c_ij = q_i·k_j/√E, borrowed: the model
 *    frees them after `observe` returns, so a hook keeps what it needs with `.ref`.
 * After the forward pass, `finish` frees what the hook held and may return auxiliary loss terms
 * (the group-sparsity penalty), which training adds to the loss and logs by name.
 *
 * Compiled functions take arrays only as arguments, so a hook is made in two steps: its `source`
 * turns a batch of token ids into arrays on the host (block ids, the dial); inside the compiled
 * function `attach` turns those (traced) arrays into the hooks of one forward pass. The same source
 * then serves training, evaluation, sampling and inspection, and changing the dial changes an
 * argument, not the compiled graph.
 *
 * Shapes: B batch, Hg global heads, Hl local heads, T positions, nb blocks of W positions.
 */
import { np, type JaxArray } from "../engine/engine.js";

/** Additive log-biases on one layer's attention logits; the arrays are consumed. */
export interface LayerBias {
  /** Broadcastable to (B, Hg, T, T). */
  global?: JaxArray;
  /** Block layout of the chunked local attention, broadcastable to (B, Hl, nb, W, 2W). */
  local?: JaxArray;
}

/** Weights and content scores of one group of heads, in that group's layout. */
export interface HeadGroupAttention {
  /** The attention weights a_ij. */
  weights: JaxArray;
  /** Present when some hook asked for scores (`observesScores`). */
  scores?: JaxArray;
  /** Local heads with visible keys (anchors): the keys beyond the window, (B, Hl, nb, W, T). */
  far?: { weights: JaxArray; scores?: JaxArray };
}

/** One layer's attention as observers see it (borrowed arrays). */
export interface LayerAttention {
  /** (B, Hg, T, T) */
  global?: HeadGroupAttention;
  /** (B, Hl, nb, W, 2W) */
  local?: HeadGroupAttention;
  /** (B, T) the keys visible beyond the window of local heads, when some hook made any visible. */
  visible?: JaxArray;
}

/** A term a hook adds to the training loss: weight · value, logged as `name`. */
export interface AuxiliaryTerm {
  /** The name the term is logged under (e.g. "penalty"). */
  name: string;
  /** A scalar array. */
  value: JaxArray;
  /** The weight it enters the loss with. */
  weight: number;
}

/** The hooks of one forward pass. */
export interface AttentionHooks {
  /**
   * The additive log-bias on layer `layer`'s logits, or undefined for none (consumed by the model).
   */
  bias?(layer: number): LayerBias | undefined;
  /** Sees layer `layer`'s weights and content scores (borrowed: keep what you need with `.ref`). */
  observe?(layer: number, attention: LayerAttention): void;
  /** Whether `observe` needs the content scores (one more array per layer). */
  observesScores?: boolean;
  /**
   * (B, T) 1 where a key is visible to every later query of a local head even beyond its window
   * (anchors, docs/math.md#anchors); called once per layer, the array is consumed. Those keys
   * carry no bias from any hook.
   */
  visibleKeys?(): JaxArray | undefined;
  /** Ends the pass: frees the hook's arrays; returns auxiliary loss terms, if any. */
  finish?(): AuxiliaryTerm[];
}

/** A batch of token windows on the host. */
export interface TokenBatch {
  /** (B·T) token ids, row-major. */
  tokens: Int32Array;
  /** B, the windows. */
  batch: number;
  /** T, the positions per window. */
  length: number;
  /** The training step (0 outside training). */
  step: number;
  /**
   * (B·T) the block id of each position, when the data carries blocks per occurrence (a prepared
   * folder, or text labelled by a tagger); hooks that use blocks prefer them to a token → block map.
   */
  blocks?: Int32Array;
}

/** Arrays a hook passes into compiled functions: a tree of arrays. */
export type HookInputs = JaxArray | HookInputs[] | { [key: string]: HookInputs };

/** Makes the hooks of a forward pass from arrays prepared on the host (see the file comment). */
export interface HookSource<Inputs extends HookInputs = HookInputs> {
  /** A short name for messages, e.g. "dial". */
  readonly name: string;
  /** Host side: the arrays the hooks need for this batch. */
  inputs(batch: TokenBatch): Inputs;
  /** Inside the forward pass: hooks built from `inputs`, which they own. */
  attach(inputs: Inputs): AttentionHooks;
}

/** The inputs of every source for one batch, in order. */
export function hookInputs(sources: readonly HookSource[], batch: TokenBatch): HookInputs[] {
  return sources.map((source) => source.inputs(batch));
}

/** Attaches every source to its inputs (taking ownership of them) and combines the hooks. */
export function attachHooks(sources: readonly HookSource[], inputs: HookInputs[]): AttentionHooks {
  return combineHooks(sources.map((source, i) => source.attach(inputs[i])));
}

function addOptional(a: JaxArray | undefined, b: JaxArray | undefined): JaxArray | undefined {
  if (a === undefined) return b;
  return b === undefined ? a : a.add(b);
}

/** One set of hooks that sums the biases of `hooks`, informs each observer and finishes each. */
export function combineHooks(hooks: readonly AttentionHooks[]): AttentionHooks {
  if (hooks.length === 1) return hooks[0];
  const observers = hooks.filter((h) => h.observe !== undefined);
  const visibility = hooks.filter((h) => h.visibleKeys !== undefined);
  return {
    visibleKeys:
      visibility.length === 0
        ? undefined
        : () => {
            let union: JaxArray | undefined;
            for (const hook of visibility) {
              const flags = hook.visibleKeys?.();
              if (flags) union = union === undefined ? flags : np.maximum(union, flags);
            }
            return union;
          },
    bias(layer) {
      let total: LayerBias | undefined;
      for (const hook of hooks) {
        const bias = hook.bias?.(layer);
        if (!bias) continue;
        total = {
          global: addOptional(total?.global, bias.global),
          local: addOptional(total?.local, bias.local),
        };
      }
      return total;
    },
    observe:
      observers.length === 0
        ? undefined
        : (layer, attention) => {
            for (const hook of observers) hook.observe?.(layer, attention);
          },
    observesScores: hooks.some((h) => h.observesScores === true),
    finish: () => hooks.flatMap((h) => h.finish?.() ?? []),
  };
}

/** Ends a pass whose auxiliary terms are not needed (evaluation, sampling): frees everything. */
export function finishAndDiscard(hooks: AttentionHooks): void {
  for (const term of hooks.finish?.() ?? []) term.value.dispose();
}
