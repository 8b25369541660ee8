/**
 * Attention over a set (docs/math.md#the-set-transformer): no positions and no causal mask, so
 * each member's output is a local mean over the other members under the dot-product kernel,
 *
 *   ℓ_ij = q_i·k_j / √E + b_ij,   out_i = Σ_j softmax_j(ℓ_i·) v_j   over the allowed keys j,
 *
 * the same weighted mean as every other method here (../kernels/weightedMean.ts). Permuting the
 * keys (with their values and mask columns) leaves each output unchanged; permuting the queries
 * permutes the outputs: attention over a set is permutation-equivariant.
 *
 * k-NN-local attention in sample space (docs/math.md#k-nn-local-attention-in-sample-space): member i
 * attends only to its k nearest members in input space (itself included), the k-NN indicator
 * kernel of ../kernels/nearest.ts as an `allowed` mask. The localization-method view of attention:
 * the kernel's support is chosen by the data, not learned.
 *
 * Shapes: B sets, H heads, Q queries, N keys (members), E head width, M members per set, d features.
 */
import { selectSmallest } from "../kernels/nearest.js";
import { weightedMean } from "../kernels/weightedMean.js";
import { np, type JaxArray } from "../engine/engine.js";

/** Settings of `setAttention`: which keys each query may see, and a log-bias. */
export interface SetAttentionOptions {
  /** Broadcastable to (B, H, Q, N): false excludes a key (padding, or outside the k nearest). */
  allowed?: JaxArray;
  /** An additive log-bias, broadcastable to (B, H, Q, N). */
  bias?: JaxArray;
}

/**
 * Non-causal attention. q: (B, H, Q, E), k and v: (B, H, N, E) → (B, H, Q, E). A query with no
 * allowed key gets the zero vector. Takes ownership of every argument.
 */
export function setAttention(
  q: JaxArray,
  k: JaxArray,
  v: JaxArray,
  options: SetAttentionOptions = {},
): JaxArray {
  const e = q.shape[q.shape.length - 1];
  let logits = np.matmul(q, k.transpose([0, 1, 3, 2])).mul(1 / Math.sqrt(e)); // (B, H, Q, N)
  if (options.bias) logits = logits.add(options.bias);
  const { mean, mass } = weightedMean(logits, v, { allowed: options.allowed });
  mass.dispose();
  return mean;
}

/**
 * The k-NN masks of a batch of sets on the host: (B, M, M) with entry (b, i, j) = 1 when member j
 * is among the min(k, m_b) nearest members of member i of set b (Euclidean, i itself included,
 * ties to the lower index). samples: (B, M, d) row-major; sizes: members per set (rows past a
 * set's size are padding: their rows and columns stay 0).
 */
export function nearestMemberMask(
  samples: ArrayLike<number>,
  sizes: ArrayLike<number>,
  capacity: number,
  dim: number,
  k: number,
): Uint8Array {
  const count = sizes.length;
  const mask = new Uint8Array(count * capacity * capacity);
  for (let b = 0; b < count; b++) {
    const m = sizes[b];
    const base = b * capacity * dim;
    const distances = new Float64Array(m * m);
    for (let i = 0; i < m; i++)
      for (let j = i + 1; j < m; j++) {
        let sum = 0;
        for (let c = 0; c < dim; c++) {
          const diff = samples[base + i * dim + c] - samples[base + j * dim + c];
          sum += diff * diff;
        }
        distances[i * m + j] = sum;
        distances[j * m + i] = sum;
      }
    const kk = Math.min(k, m);
    const { indices } = selectSmallest(distances, m, m, kk);
    for (let i = 0; i < m; i++)
      for (let slot = 0; slot < kk; slot++)
        mask[(b * capacity + i) * capacity + indices[i * kk + slot]] = 1;
  }
  return mask;
}
