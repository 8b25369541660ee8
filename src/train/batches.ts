/**
 * Training batches for next-token prediction: B windows of T + 1 consecutive tokens at positions
 * drawn from a counter-based generator keyed by (seed, step). A batch depends only on the seed and
 * the step number, so a resumed run sees exactly the batches the uninterrupted run would have.
 */
import { check } from "../engine/errors.js";
import { hash32 } from "../engine/random.js";
import type { TokenSource } from "../io/tokenFiles.js";

export interface TrainingBatch {
  /** (B·T) row-major input ids. */
  inputs: Int32Array;
  /** (B·T) the ids one position later. */
  targets: Int32Array;
  batch: number;
  context: number;
}

export function checkStreamLength(ids: Int32Array, context: number, what: string): void {
  check(
    ids.length >= context + 1,
    `the ${what} split has ${ids.length} tokens, fewer than context + 1 = ${context + 1}; use a smaller \`model.context\` or a larger corpus`,
  );
}

/** The batch for `step`: window starts uniform in [0, N − T − 1]. */
export function sampleBatch(
  ids: Int32Array,
  batch: number,
  context: number,
  seed: number,
  step: number,
): TrainingBatch {
  checkStreamLength(ids, context, "training");
  const span = ids.length - context;
  const inputs = new Int32Array(batch * context);
  const targets = new Int32Array(batch * context);
  for (let b = 0; b < batch; b++) {
    const start = hash32(seed, step, b) % span;
    inputs.set(ids.subarray(start, start + context), b * context);
    targets.set(ids.subarray(start + 1, start + context + 1), b * context);
  }
  return { inputs, targets, batch, context };
}

/** A training batch with the block id of every input position, when the source carries blocks. */
export interface BlockedBatch extends TrainingBatch {
  /** (B·T) block ids of the inputs' positions. */
  blocks?: Int32Array;
}

/**
 * The batch for `step` from a source read by window (a prepared folder's split): the same window
 * starts as sampleBatch, hash32(seed, step, b) mod (N − T), so on the same ids it gives the same
 * batch; B windows of T + 1 tokens are read, nothing else.
 */
export function sampleWindows(
  source: TokenSource,
  batch: number,
  context: number,
  seed: number,
  step: number,
): BlockedBatch {
  check(
    source.length >= context + 1,
    `the training split has ${source.length} tokens, fewer than context + 1 = ${context + 1}; use a smaller context or a larger corpus`,
  );
  const span = source.length - context;
  const inputs = new Int32Array(batch * context);
  const targets = new Int32Array(batch * context);
  let blocks: Int32Array | undefined;
  for (let b = 0; b < batch; b++) {
    const start = hash32(seed, step, b) % span;
    const window = source.window(start, context + 1);
    inputs.set(window.tokens.subarray(0, context), b * context);
    targets.set(window.tokens.subarray(1), b * context);
    if (window.blocks) {
      blocks ??= new Int32Array(batch * context);
      blocks.set(window.blocks.subarray(0, context), b * context);
    }
  }
  return { inputs, targets, batch, context, ...(blocks ? { blocks } : {}) };
}
