/**
 * Training batches for next-token prediction: B windows of T + 1 consecutive tokens at positions
 * drawn from a counter-based generator keyed by (seed, step). A batch depends only on the seed and
 * the step number, so a resumed run sees exactly the batches the uninterrupted run would have.
 */
import { check } from "../engine/errors.js";
import { hash32 } from "../engine/random.js";

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
