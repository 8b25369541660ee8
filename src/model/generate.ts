/**
 * Sampling from a trained language model: at each step the model reads the last T tokens
 * (right-padded to a fixed length T, so one compiled graph serves every step; causal attention
 * makes the padding invisible), and the next token is drawn from softmax(z / temperature)
 * restricted to the k most likely tokens, with a seeded generator.
 */
import { check } from "../engine/errors.js";
import { fromHost, np, tree, type JaxArray } from "../engine/engine.js";
import { compileForward } from "./compile.js";
import { seededUniform } from "../engine/random.js";
import type { ModelConfig } from "./config.js";
import {
  attachHooks,
  finishAndDiscard,
  hookInputs,
  type HookInputs,
  type HookSource,
} from "./hooks.js";
import type { ParamMap } from "./params.js";
import { forward } from "./transformer.js";

/** Settings of `generateTokens`: how many tokens, the hooks in place, and the sampling rule. */
export interface SampleOptions {
  /** How many tokens to generate. */
  tokens: number;
  /** Attention hooks (the dial of a localist model, rules). */
  hooks?: readonly HookSource[];
  /** τ: the next token is drawn from softmax(logits/τ); 0 takes the most likely token. */
  temperature: number;
  /** 0 = no restriction. */
  topK: number;
  /** Seed of the draws: the same seed gives the same text. */
  seed: number;
  /** Called with each new token id. */
  onToken?: (id: number) => void;
  /**
   * The block of each of the last min(T, n) positions of the sequence so far (n ids: the prompt
   * and the tokens drawn), asked before each draw and given to the hooks: blocks per occurrence
   * from the text as it grows. Absent: hooks take each token's block.
   */
  blocks?: (sequence: Int32Array) => Uint8Array;
}

/** Draws an index from logits with temperature and top-k. */
export function sampleLogits(
  logits: ArrayLike<number>,
  temperature: number,
  topK: number,
  uniform: () => number,
): number {
  const n = logits.length;
  const order = Array.from({ length: n }, (_, i) => i);
  if (temperature === 0) return order.reduce((best, i) => (logits[i] > logits[best] ? i : best), 0);
  order.sort((a, b) => logits[b] - logits[a]);
  const keep = topK > 0 ? order.slice(0, Math.min(topK, n)) : order;
  const top = logits[keep[0]];
  const weights = keep.map((i) => Math.exp((logits[i] - top) / temperature));
  const total = weights.reduce((a, b) => a + b, 0);
  let u = uniform() * total;
  for (let r = 0; r < keep.length; r++) {
    u -= weights[r];
    if (u <= 0) return keep[r];
  }
  return keep[keep.length - 1];
}

/** Continues `prompt` (token ids) by `options.tokens` sampled tokens; returns the new ids. Borrows params. */
export function generateTokens(
  params: ParamMap,
  config: ModelConfig,
  prompt: Int32Array,
  options: SampleOptions,
): Int32Array {
  check(prompt.length > 0, "the prompt is empty; give at least one token of text");
  check(options.temperature >= 0, `temperature must be ≥ 0, got ${options.temperature}`);
  const t = config.context;
  const sources = options.hooks ?? [];
  const step = compileForward((p: ParamMap, tokens: JaxArray, inputs: HookInputs[]) => {
    const hooks = attachHooks(sources, inputs);
    const logits = forward(p, tokens, config, { hooks });
    finishAndDiscard(hooks);
    return logits;
  }, config);
  const uniform = seededUniform(options.seed);
  const sequence = Array.from(prompt);
  const produced: number[] = [];
  try {
    for (let i = 0; i < options.tokens; i++) {
      const window = sequence.slice(-t);
      const padded = new Int32Array(t);
      padded.set(window);
      let blocks: Int32Array | undefined;
      if (options.blocks) {
        const given = options.blocks(Int32Array.from(sequence));
        check(
          given.length === window.length,
          `the blocks of a window of ${window.length} tokens came as ${given.length} block ids`,
        );
        blocks = new Int32Array(t); // padding in block 0: causal attention never reads it
        blocks.set(given);
      }
      const inputs = hookInputs(sources, {
        tokens: padded,
        batch: 1,
        length: t,
        step: 0,
        ...(blocks ? { blocks } : {}),
      });
      const logits = step(tree.ref(params), fromHost(padded, [1, t], np.int32), inputs); // (1, T, V)
      const row = logits.slice(0, window.length - 1).dataSync() as ArrayLike<number>; // (V)
      check(row.length === config.vocabSize, "unexpected logits shape");
      const next = sampleLogits(row, options.temperature, options.topK, uniform);
      sequence.push(next);
      produced.push(next);
      options.onToken?.(next);
    }
  } finally {
    step.dispose();
  }
  return Int32Array.from(produced);
}
