/**
 * The sizes a distribution-regression run may hold, checked before any bag is drawn or any array
 * made: the samples of the training pool (N·m·d, with m the largest bag) and the attention logits
 * of one batch (B·H·T², T the tokens of a bag: its samples and any prompts).
 */
import { checkFields } from "./fieldError.js";

/** The most samples (N·m·d over the training pool) a run may hold, and attention logits per batch. */
export const DISTREG_LIMITS = { samples: 1 << 24, logits: 1 << 25 } as const;

/**
 * Refuses N bags of m samples in d dimensions beyond `DISTREG_LIMITS.samples`. `fields` names what
 * to lower in the message (default the experiment sizes `n` and `m`).
 */
export function checkPoolSize(
  size: { bags: number; samples: number; dim: number },
  fields: readonly string[] = ["n", "m"],
): void {
  const { bags, samples, dim } = size;
  checkFields(
    bags * samples * dim <= DISTREG_LIMITS.samples,
    (name) =>
      `N·m·d = ${bags}·${samples}·${dim} samples is more than the ${DISTREG_LIMITS.samples} a run holds; lower ${orList(fields.map(name))}`,
  );
}

/**
 * Refuses a batch of `batch` bags of `tokens` tokens with `heads` heads whose attention weights
 * (batch·heads·tokens²) exceed `DISTREG_LIMITS.logits`. `fields` names what to lower (default the
 * batch, the samples per bag m and the heads).
 */
export function checkAttentionSize(
  size: { batch: number; heads: number; tokens: number },
  fields: readonly string[] = ["batch", "m", "heads"],
): void {
  const { batch, heads, tokens } = size;
  checkFields(
    batch * heads * tokens * tokens <= DISTREG_LIMITS.logits,
    (name) =>
      `a batch of ${batch} bags of ${tokens} samples with ${heads} heads needs more than ${DISTREG_LIMITS.logits} attention weights; lower ${orList(fields.map(name))}`,
  );
}

/** "a", "a or b", "a, b or c". */
export function orList(items: readonly string[]): string {
  return items.length <= 1
    ? (items[0] ?? "")
    : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}
