/**
 * Language-model evaluation on an id stream: the stream is cut into non-overlapping windows of
 * T + 1 tokens (inputs T, targets T, the remainder shorter than a window dropped), and
 *
 *   perplexity = exp(−(1/n) Σ log p(target | preceding tokens in its window)),
 *   accuracy   = (1/n) Σ 1{argmax p = target}.
 */
import { jit, nn, np, fromHost, type JaxArray } from "../engine.js";
import { check } from "../errors.js";
import { forward, unflattenParams } from "../model/transformer.js";
import type { ModelConfig } from "../model/config.js";
import type { ParamMap } from "./optimizer.js";

export interface Evaluation {
  loss: number; // nats per token
  perplexity: number;
  accuracy: number;
  tokens: number;
}

/** Sum of token log-losses and count of correct argmax predictions, jit-compiled per config. */
export function makeEvaluator(config: ModelConfig) {
  return jit((params: ParamMap, inputs: JaxArray, targets: JaxArray) => {
    const { logits } = forward(unflattenParams(params, config), inputs, config); // (B, T, V)
    const v = logits.shape[2];
    const logp = nn.logSoftmax(logits.ref, -1);
    const oneHot = nn.oneHot(targets.ref, v);
    const nll = logp.mul(oneHot).sum().mul(-1);
    const correct = np.equal(np.argmax(logits, -1), targets).astype(np.float32).sum();
    return [nll, correct];
  });
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
    onBatch?: (done: number, total: number) => void;
  } = {},
  evaluator = makeEvaluator(config),
): Evaluation {
  const t = config.context;
  const batch = options.batch ?? 16;
  const available = Math.floor((ids.length - 1) / t);
  check(
    available >= 1,
    `the evaluation split has ${ids.length} tokens, fewer than context + 1 = ${t + 1}; use a smaller context or a larger corpus`,
  );
  const windows = Math.min(available, options.maxWindows ?? Infinity);
  let nll = 0;
  let correct = 0;
  for (let start = 0; start < windows; start += batch) {
    const rows = Math.min(batch, windows - start);
    const inputs = new Int32Array(rows * t);
    const targets = new Int32Array(rows * t);
    for (let r = 0; r < rows; r++) {
      const offset = (start + r) * t;
      inputs.set(ids.subarray(offset, offset + t), r * t);
      targets.set(ids.subarray(offset + 1, offset + t + 1), r * t);
    }
    const [sumNll, sumCorrect] = evaluator(
      refParams(params),
      fromHost(inputs, [rows, t], np.int32),
      fromHost(targets, [rows, t], np.int32),
    );
    nll += sumNll.dataSync()[0];
    correct += sumCorrect.dataSync()[0];
    options.onBatch?.(start + rows, windows);
  }
  const tokens = windows * t;
  const loss = nll / tokens;
  return { loss, perplexity: Math.exp(loss), accuracy: correct / tokens, tokens };
}
