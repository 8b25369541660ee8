/**
 * Language-model evaluation on an id stream with a sliding window: windows of T + 1 tokens
 * (inputs T, targets T) start every S tokens; the first window scores all its T targets and each
 * later one only its last S, the targets no earlier window scored, so every scored token has at
 * least T − S tokens of context (S = T: non-overlapping windows; default S = T/2). Then
 *
 *   perplexity = exp(−(1/n) Σ log p(target | preceding tokens in its window)),
 *   accuracy   = (1/n) Σ 1{argmax p = target}.
 */
import { jit, nn, np, fromHost, type JaxArray } from "../engine/engine.js";
import { check } from "../engine/errors.js";
import { embedTokens, forward, unflattenParams } from "../model/transformer.js";
import { blockArray, dialArray, localistForward } from "../localist/forward.js";
import { dialMatrix } from "../localist/dial.js";
import type { ModelConfig } from "../model/config.js";
import type { ParamMap } from "./optimizer.js";

export interface Evaluation {
  loss: number; // nats per token
  perplexity: number;
  accuracy: number;
  tokens: number;
}

/**
 * Sum of token log-losses and count of correct argmax predictions, jit-compiled per config. For a
 * localist model the dial (L, H) and the block ids (B, T) enter the logits; otherwise they are
 * ignored.
 */
export function makeEvaluator(config: ModelConfig) {
  return jit(
    (
      params: ParamMap,
      inputs: JaxArray,
      targets: JaxArray,
      scored: JaxArray,
      blocks: JaxArray,
      dial: JaxArray,
    ) => {
      let logits: JaxArray;
      if (config.localist) {
        const tree = unflattenParams(params, config);
        const embedded = embedTokens(tree.tokenEmbedding.ref, inputs);
        logits = localistForward(tree, embedded, config, blocks, dial).logits;
      } else {
        blocks.dispose();
        dial.dispose();
        logits = forward(unflattenParams(params, config), inputs, config).logits; // (B, T, V)
      }
      const v = logits.shape[2];
      const logp = nn.logSoftmax(logits.ref, -1);
      const oneHot = nn.oneHot(targets.ref, v);
      const nll = logp.mul(oneHot).sum(-1).mul(scored.ref).sum().mul(-1);
      const correct = np.equal(np.argmax(logits, -1), targets).astype(np.float32).mul(scored).sum();
      return [nll, correct];
    },
  );
}

/** Borrowed copies (`.ref`) of every parameter, for passing to a consuming function. */
export function refParams(params: ParamMap): ParamMap {
  return Object.fromEntries(Object.entries(params).map(([k, p]) => [k, p.ref]));
}

export function evaluateStream(
  params: ParamMap,
  config: ModelConfig,
  ids: Int32Array,
  options: {
    batch?: number;
    maxWindows?: number;
    /** (L, H) dial of a localist model (default all zeros: the distributed model). */
    dial?: number[][];
    /** Window stride S (default T/2). */
    stride?: number;
    onBatch?: (done: number, total: number) => void;
  } = {},
  evaluator = makeEvaluator(config),
): Evaluation {
  const t = config.context;
  const batch = options.batch ?? 16;
  const stride = options.stride ?? Math.max(1, Math.floor(t / 2));
  check(stride >= 1 && stride <= t, `the evaluation stride must be in [1, ${t}], got ${stride}`);
  check(
    ids.length >= t + 1,
    `the evaluation split has ${ids.length} tokens, fewer than context + 1 = ${t + 1}; use a smaller context or a larger corpus`,
  );
  const available = 1 + Math.floor((ids.length - 1 - t) / stride);
  const windows = Math.min(available, options.maxWindows ?? Infinity);
  let nll = 0;
  let correct = 0;
  let tokens = 0;
  for (let start = 0; start < windows; start += batch) {
    const rows = Math.min(batch, windows - start);
    const inputs = new Int32Array(rows * t);
    const targets = new Int32Array(rows * t);
    const scored = new Float32Array(rows * t);
    for (let r = 0; r < rows; r++) {
      const window = start + r;
      const offset = window * stride;
      inputs.set(ids.subarray(offset, offset + t), r * t);
      targets.set(ids.subarray(offset + 1, offset + t + 1), r * t);
      scored.fill(1, r * t + (window === 0 ? 0 : t - stride), (r + 1) * t);
      tokens += window === 0 ? t : stride;
    }
    const blocks = config.localist
      ? blockArray(config, inputs, rows)
      : np.zeros([rows, t], { dtype: np.int32 });
    const dial = config.localist
      ? dialArray(options.dial ?? dialMatrix(0, "uniform", config.layers, config.heads))
      : np.zeros([1, 1]);
    const [sumNll, sumCorrect] = evaluator(
      refParams(params),
      fromHost(inputs, [rows, t], np.int32),
      fromHost(targets, [rows, t], np.int32),
      fromHost(scored, [rows, t], np.float32),
      blocks,
      dial,
    );
    nll += sumNll.dataSync()[0];
    correct += sumCorrect.dataSync()[0];
    options.onBatch?.(start + rows, windows);
  }
  const loss = nll / tokens;
  return { loss, perplexity: Math.exp(loss), accuracy: correct / tokens, tokens };
}
