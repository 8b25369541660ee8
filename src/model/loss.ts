/**
 * The cross-entropy of every model here, language model and recognizer alike:
 *
 *   L = −(1/N) Σ_n log softmax(z_n)[y_n] = (1/N) Σ_n (logsumexp(z_n) − z_n[y_n])
 *
 * over the N = B·T positions of a language model or the B strings of a recognizer.
 */
import { nn, np, type JaxArray } from "../engine/engine.js";

/**
 * One-hot rows (…, C), float32, of integer targets (…): 1 where c = y, by comparing y with
 * arange(C). Not nn.oneHot, which slices eye(C): a C × C constant that a compiled pass must hold
 * (10 GB at C = 50,257, past the engine's 4 GiB). Takes ownership of targets.
 */
export function oneHotRows(targets: JaxArray, classes: number): JaxArray {
  const column = targets.reshape([...targets.shape, 1]); // (…, 1)
  return np.equal(column, np.arange(classes).astype(targets.dtype)).astype(np.float32); // (…, C)
}

/**
 * Mean cross-entropy (nats) of logits (…, C) against integer targets (…). Takes ownership of both.
 * The target logit is picked by a one-hot product, not a gather: a gather's gradient (a scatter)
 * cannot be jit-compiled in jax-js 0.1.25.
 */
export function crossEntropy(logits: JaxArray, targets: JaxArray): JaxArray {
  const classes = logits.shape[logits.shape.length - 1];
  const rows = targets.size;
  const logNormalizer = nn.logsumexp(logits.ref, -1).mean();
  const targetLogits = logits
    .mul(oneHotRows(targets, classes))
    .sum()
    .mul(1 / rows);
  return logNormalizer.sub(targetLogits);
}
