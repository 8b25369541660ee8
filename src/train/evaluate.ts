/**
 * Language-model evaluation (docs/math.md#evaluation) on an id stream with a sliding window: windows of T + 1 tokens
 * (inputs T, targets T) start every S tokens; the first window scores all its T targets and each
 * later one only its last S, the targets no earlier window scored, so every scored token has at
 * least T − S tokens of context (S = T: non-overlapping windows; default S = T/2). Then
 *
 *   perplexity = exp(−(1/n) Σ log p(target | preceding tokens in its window)),
 *   accuracy   = (1/n) Σ 1{argmax p = target}.
 */
import { jit, nn, np, fromHost, readAsync, tree, type JaxArray } from "../engine/engine.js";
import { runsUncompiled } from "../model/compile.js";
import { check } from "../engine/errors.js";
import type { ModelConfig } from "../model/config.js";
import {
  attachHooks,
  finishAndDiscard,
  hookInputs,
  type HookInputs,
  type HookSource,
} from "../model/hooks.js";
import { estimateMemory, formatGiB, MEMORY_BUDGET_BYTES } from "../model/memory.js";
import type { ParamMap } from "../model/params.js";
import { forward } from "../model/transformer.js";
import { oneHotRows } from "../model/loss.js";

/** A language model's scores on a stream of tokens. */
export interface Evaluation {
  /** Mean cross-entropy of the next token, in nats per token. */
  loss: number; // nats per token
  /** exp(loss). */
  perplexity: number;
  /** Fraction of tokens whose most likely prediction is the actual next token. */
  accuracy: number;
  /** Tokens scored. */
  tokens: number;
}

/** The scoring of one batch, compiled for one config and list of hook sources. */
export interface Evaluator {
  /** The architecture it was compiled for. */
  readonly config: ModelConfig;
  /** The hook sources whose arrays enter as arguments. */
  readonly sources: readonly HookSource[];
  /**
   * One batch of windows (B, T): [Σ of the scored tokens' log-losses, count of scored tokens whose
   * argmax prediction is the target], two scalars. Takes ownership of its arguments.
   */
  run(
    params: ParamMap,
    inputs: JaxArray,
    targets: JaxArray,
    scored: JaxArray,
    hookArrays: HookInputs[],
  ): JaxArray[];
  /** Frees the compiled function. */
  dispose(): void;
}

/**
 * Sum of token log-losses and count of correct argmax predictions of one batch, compiled for a
 * config and a list of hook sources (their arrays enter as arguments). Reuse one across calls of
 * `evaluateStream` to compile once, e.g. across the dial values of a sweep.
 */
export function createEvaluator(
  config: ModelConfig,
  sources: readonly HookSource[] = [],
): Evaluator {
  const logits = (params: ParamMap, inputs: JaxArray, hookArrays: HookInputs[]) => {
    const hooks = attachHooks(sources, hookArrays);
    const result = forward(params, inputs, config, { hooks }); // (B, T, V)
    finishAndDiscard(hooks);
    return result;
  };
  const score = (logits: JaxArray, targets: JaxArray, scored: JaxArray) => {
    const v = logits.shape[2];
    const logp = nn.logSoftmax(logits.ref, -1);
    const oneHot = oneHotRows(targets.ref, v);
    const nll = logp.mul(oneHot).sum(-1).mul(scored.ref).sum().mul(-1);
    const correct = np.equal(np.argmax(logits, -1), targets).astype(np.float32).mul(scored).sum();
    return [nll, correct];
  };
  type Run = (
    params: ParamMap,
    inputs: JaxArray,
    targets: JaxArray,
    scored: JaxArray,
    hookArrays: HookInputs[],
  ) => JaxArray[];
  if (runsUncompiled(config)) {
    // The forward pass op by op (model/compile.ts); the scoring, whose (B, T, V) temporaries
    // would all wait for the final read if run op by op, compiled into a few fused kernels.
    const compiledScore = jit(score);
    const run: Run = (params, inputs, targets, scored, hookArrays) =>
      compiledScore(logits(params, inputs, hookArrays), targets, scored);
    return { config, sources, run, dispose: () => compiledScore.dispose() };
  }
  const run = jit(((params, inputs, targets, scored, hookArrays) =>
    score(logits(params, inputs, hookArrays), targets, scored)) as Run);
  return { config, sources, run, dispose: () => run.dispose() };
}

/**
 * Perplexity and accuracy over an id stream with the sliding window. Borrows params. Reads back
 * asynchronously, so the batches compute on the engine's threads (src/engine/threads.ts).
 */
export async function evaluateStream(
  params: ParamMap,
  config: ModelConfig,
  ids: Int32Array,
  options: {
    batch?: number;
    maxWindows?: number;
    /** Attention hooks, e.g. the dial of a localist model (default none). */
    hooks?: readonly HookSource[];
    /** A compiled evaluator to reuse (its hooks replace `hooks`). */
    evaluator?: Evaluator;
    /** Window stride S (default T/2). */
    stride?: number;
    /**
     * The block of every id of the stream (blocks per occurrence, e.g. a prepared folder's), passed
     * to the hooks with each window; without it hooks use their token → block table.
     */
    blocks?: ArrayLike<number>;
    onBatch?: (done: number, total: number) => void;
  } = {},
): Promise<Evaluation> {
  const t = config.context;
  const batch = options.batch ?? 16;
  const stride = options.stride ?? Math.max(1, Math.floor(t / 2));
  check(stride >= 1 && stride <= t, `the evaluation stride must be in [1, ${t}], got ${stride}`);
  check(
    ids.length >= t + 1,
    `the evaluation split has ${ids.length} tokens, fewer than \`model.context\` + 1 = ${t + 1}; use a smaller \`model.context\` or a larger corpus`,
  );
  check(
    options.blocks === undefined || options.blocks.length === ids.length,
    () => `the evaluation split has ${ids.length} tokens but ${options.blocks?.length} block ids`,
  );
  const need = estimateMemory(config, { batch, training: false });
  check(
    need.total <= MEMORY_BUDGET_BYTES,
    `evaluating batches of ${batch} windows needs about ${formatGiB(need.total)}, more than the ${formatGiB(MEMORY_BUDGET_BYTES)} the engine can give; use a smaller \`batch\``,
  );
  const evaluator = options.evaluator ?? createEvaluator(config, options.hooks);
  check(evaluator.config === config, "the evaluator was compiled for another model config");
  try {
    return await evaluateWindows(params, ids, evaluator, { ...options, batch, stride });
  } finally {
    if (!options.evaluator) evaluator.dispose();
  }
}

async function evaluateWindows(
  params: ParamMap,
  ids: Int32Array,
  evaluator: Evaluator,
  options: {
    batch: number;
    stride: number;
    maxWindows?: number;
    blocks?: ArrayLike<number>;
    onBatch?: (done: number, total: number) => void;
  },
): Promise<Evaluation> {
  const { config, sources } = evaluator;
  const { batch, stride } = options;
  const t = config.context;
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
    const blocks = options.blocks ? new Int32Array(rows * t) : undefined;
    for (let r = 0; r < rows; r++) {
      const window = start + r;
      const offset = window * stride;
      inputs.set(ids.subarray(offset, offset + t), r * t);
      if (blocks)
        for (let k = 0; k < t; k++)
          blocks[r * t + k] = (options.blocks as ArrayLike<number>)[offset + k];
      targets.set(ids.subarray(offset + 1, offset + t + 1), r * t);
      scored.fill(1, r * t + (window === 0 ? 0 : t - stride), (r + 1) * t);
      tokens += window === 0 ? t : stride;
    }
    const [sumNll, sumCorrect] = evaluator.run(
      tree.ref(params),
      fromHost(inputs, [rows, t], np.int32),
      fromHost(targets, [rows, t], np.int32),
      fromHost(scored, [rows, t], np.float32),
      hookInputs(sources, {
        tokens: inputs,
        batch: rows,
        length: t,
        step: 0,
        ...(blocks ? { blocks } : {}),
      }),
    );
    nll += (await readAsync(sumNll))[0];
    correct += (await readAsync(sumCorrect))[0];
    options.onBatch?.(start + rows, windows);
  }
  const loss = nll / tokens;
  check(
    Number.isFinite(loss),
    `the model's log-probabilities are not finite on this text (loss ${loss}): its weights have diverged; retrain it with a lower learning rate`,
  );
  return { loss, perplexity: Math.exp(loss), accuracy: correct / tokens, tokens };
}
