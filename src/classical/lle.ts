/**
 * Locally linear embedding (Roweis & Saul 2000; docs/math.md#locally-linear-embedding), standard
 * variant as in scikit-learn:
 *  1. each point's k nearest neighbours (itself excluded);
 *  2. barycentre weights: minimize ‖x_i − Σ_j w_ij x_j‖² s.t. Σ_j w_ij = 1, i.e. solve
 *     (G + r·tr(G)·I) w = 1 with the local Gram matrix G = (X_nbrs − x_i)(X_nbrs − x_i)ᵀ, then
 *     normalize w (r = `regularization`; r itself when tr(G) = 0);
 *  3. the embedding: eigenvectors of M = (I − W)ᵀ(I − W) for the 2nd … (n+1)-th smallest
 *     eigenvalues (the smallest belongs to the constant vector).
 * Each output column is defined up to sign.
 */
import { check, checkInteger, checkPositive } from "../engine/errors.js";
import { fromHost, np, type JaxArray } from "../engine/engine.js";
import { nearestNeighbours } from "../kernels/nearest.js";
import { runReads, runReadsAsync, type Reads } from "./chunks.js";

/** Settings of `locallyLinearEmbedding`. */
export interface LleOptions {
  /** k, the neighbours each point is reconstructed from (default 5; fewer than the rows). */
  neighbours?: number;
  /** The dimension of the embedding (default 2). */
  components?: number;
  /**
   * r, the regularization of the local Gram matrix G: the weights solve (G + r · tr(G) · I) w = 1,
   * defined even when k > D (default 1e-3, as scikit-learn).
   */
  regularization?: number;
}

/**
 * Embeds x (N, D) into (N, components), on the calling thread (`locallyLinearEmbeddingAsync`: the
 * same on the threads). Borrows x.
 */
export function locallyLinearEmbedding(x: JaxArray, options: LleOptions = {}): JaxArray {
  return runReads(embeddingReads(x, options));
}

/**
 * `locallyLinearEmbedding` on the engine's compute threads (the local Gram traces and the
 * barycentre weights read asynchronously); the same embedding, whose eigenvectors are computed
 * when the caller reads it (read it asynchronously to keep them on the threads). Borrows x.
 */
export function locallyLinearEmbeddingAsync(
  x: JaxArray,
  options: LleOptions = {},
): Promise<JaxArray> {
  return runReadsAsync(embeddingReads(x, options));
}

/** The computation of `locallyLinearEmbedding`, once for both ways of reading (chunks.ts, `Reads`). */
function* embeddingReads(x: JaxArray, options: LleOptions): Reads<JaxArray> {
  const { neighbours: k = 5, components = 2, regularization = 1e-3 } = options;
  const [n, d] = x.shape;
  checkInteger("components", components, 1);
  checkInteger("neighbours (k)", k, 1);
  check(k < n, `LLE needs k < number of rows: k = ${k}, rows = ${n}`);
  check(components < n, `components = ${components} must be smaller than the ${n} rows`);
  checkPositive("regularization", regularization);

  // k + 1 nearest, dropping the first (each point is its own nearest neighbour). The search stays
  // synchronous (nearestNeighbours has no reads form): a k-d tree on the host up to 16 features.
  const found = nearestNeighbours(x.ref, x.ref, k + 1);
  const neighbourIndex = new Int32Array(n * k);
  for (let i = 0; i < n; i++)
    neighbourIndex.set(found.indices.subarray(i * (k + 1) + 1, (i + 1) * (k + 1)), i * k);

  const index = np.array(neighbourIndex, { dtype: np.int32 });
  const offsets = np
    .take(x.ref, index, 0)
    .reshape([n, k, d])
    .sub(x.ref.reshape([n, 1, d])); // (N, k, D)
  const gram = np.matmul(offsets.ref, offsets.transpose([0, 2, 1])); // (N, k, k)
  const trace = Float64Array.from(yield np.trace(gram.ref, 0, 1, 2)); // (N)
  const shift = fromHost(
    trace.map((t) => (t > 0 ? regularization * t : regularization)),
    [n, 1, 1],
    x.dtype,
  );
  const regularized = gram.add(
    np.eye(k, undefined, { dtype: x.dtype }).reshape([1, k, k]).mul(shift),
  );
  const raw = np.linalg.solve(regularized, np.ones([n, k, 1], { dtype: x.dtype })).reshape([n, k]);
  const weights = yield raw.ref.div(raw.sum(1, { keepdims: true })); // (N, k)

  // M = (I − W)ᵀ(I − W) with W the sparse barycentre matrix, assembled densely on the host.
  const iw = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    iw[i * n + i] += 1;
    for (let s = 0; s < k; s++) iw[i * n + neighbourIndex[i * k + s]] -= weights[i * k + s];
  }
  const a = fromHost(iw, [n, n], x.dtype);
  const m = np.matmul(a.ref.transpose(), a);
  const [, vectors] = np.linalg.eigh(m); // ascending eigenvalues, vectors in columns
  return vectors.slice([], [1, components + 1]); // (N, components)
}
