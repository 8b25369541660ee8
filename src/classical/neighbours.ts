/**
 * k-nearest-neighbour regression and classification: the local mean and the local mode under the
 * k-NN kernel, with uniform weights or inverse-distance weights w_j = 1 / ‖x* − x_j‖ (a query that
 * coincides with training points gives them all the weight, as in scikit-learn);
 * docs/math.md#k-nearest-neighbours.
 */
import { check, checkInteger, LocalistError } from "../engine/errors.js";
import { fromHost, np, type JaxArray } from "../engine/engine.js";
import { neighbourSearch, type Neighbours } from "../kernels/nearest.js";
import {
  chunkPlan,
  mapQueryChunks,
  queryBlocks,
  rowsPerChunk,
  type ChunkOptions,
} from "./chunks.js";

export const NEIGHBOUR_WEIGHTS = ["uniform", "distance"] as const;
export type NeighbourWeighting = (typeof NEIGHBOUR_WEIGHTS)[number];

/** Settings of `knnRegress` and `knnClassify`. */
export interface NeighbourOptions extends ChunkOptions {
  /** k, the neighbours each query looks at (default 5, scikit-learn's). */
  k?: number;
  /**
   * "uniform" (each neighbour counts 1/k; default) or "distance" (weights ∝ 1/distance; an exact
   * match takes all the weight).
   */
  weights?: NeighbourWeighting;
}

/** Per-neighbour weights (Q·k), each query's k weights summing to 1. */
export function neighbourWeights(
  neighbours: Neighbours,
  weighting: NeighbourWeighting,
): Float64Array {
  const { queries, k } = neighbours;
  const weights = new Float64Array(queries * k);
  for (let row = 0; row < queries; row++) {
    const base = row * k;
    if (weighting === "uniform") {
      weights.fill(1 / k, base, base + k);
      continue;
    }
    let exact = 0;
    for (let slot = 0; slot < k; slot++)
      if (neighbours.squaredDistances[base + slot] === 0) exact++;
    let total = 0;
    for (let slot = 0; slot < k; slot++) {
      const d2 = neighbours.squaredDistances[base + slot];
      const w = exact > 0 ? (d2 === 0 ? 1 : 0) : 1 / Math.sqrt(d2);
      weights[base + slot] = w;
      total += w;
    }
    for (let slot = 0; slot < k; slot++) weights[base + slot] /= total;
  }
  return weights;
}

function validate(keys: JaxArray, queries: JaxArray, rows: number, k: number, weights: string) {
  const [n, d] = keys.shape;
  check(rows === n, `targets have ${rows} rows but the training inputs have ${n}; they must match`);
  check(
    queries.shape[1] === d,
    `queries have ${queries.shape[1]} features but the training data has ${d}`,
  );
  checkInteger("k", k, 1);
  check(k <= n, `k = ${k} is larger than the ${n} training rows; choose k ≤ ${n}`);
  if (!(NEIGHBOUR_WEIGHTS as readonly string[]).includes(weights)) {
    throw new LocalistError(`unknown weights '${weights}'; expected uniform or distance`);
  }
}

/**
 * Weighted mean of the k nearest neighbours' values.
 * keys (N, D), values (N, M), queries (Q, D) → (Q, M). Takes ownership of all three.
 */
export function knnRegress(
  keys: JaxArray,
  values: JaxArray,
  queries: JaxArray,
  options: NeighbourOptions = {},
): JaxArray {
  const { k = 5, weights = "uniform" } = options;
  validate(keys, queries, values.shape[0], k, weights);
  const [n] = keys.shape;
  const m = values.shape[1];
  const search = neighbourSearch(keys);
  // A tree search holds (rows, k) per block, not (rows, N): blocks of N-sized rows would be tiny.
  const perRow = search.exhaustive ? n : k * Math.max(1, m);
  const result = mapQueryChunks(queries, chunkPlan(perRow, options), (chunk) => {
    const neighbours = search.search(chunk, k);
    const c = neighbours.queries;
    const index = np.array(neighbours.indices, { dtype: np.int32 });
    const gathered = np.take(values.ref, index, 0).reshape([c, k, m]); // (C, k, M)
    const w = fromHost(neighbourWeights(neighbours, weights), [c, k], values.dtype);
    return gathered.mul(w.reshape([c, k, 1])).sum(1); // (C, M)
  });
  search.dispose();
  values.dispose();
  return result;
}

/** What `knnClassify` returns: the predicted class and the vote shares. */
export interface ClassifierResult {
  /** (Q) predicted class index: the largest weighted vote, ties to the lower index. */
  classes: Int32Array;
  /** (Q·C) weighted vote shares, row-major. */
  probabilities: Float64Array;
}

/**
 * Weighted vote of the k nearest neighbours' classes (labels are indices in [0, classCount)).
 * Takes ownership of keys and queries.
 */
export function knnClassify(
  keys: JaxArray,
  labels: Int32Array,
  classCount: number,
  queries: JaxArray,
  options: NeighbourOptions = {},
): ClassifierResult {
  const { k = 5, weights = "uniform" } = options;
  validate(keys, queries, labels.length, k, weights);
  const [n] = keys.shape;
  const [q] = queries.shape;
  const classes = new Int32Array(q);
  const probabilities = new Float64Array(q * classCount);
  const search = neighbourSearch(keys);
  const rows = rowsPerChunk(search.exhaustive ? n : k * classCount, options);
  for (const { chunk, start, end } of queryBlocks(queries, rows)) {
    const neighbours = search.search(chunk, k);
    const w = neighbourWeights(neighbours, weights);
    for (let row = 0; row < end - start; row++) {
      const votes = probabilities.subarray(
        (start + row) * classCount,
        (start + row + 1) * classCount,
      );
      for (let slot = 0; slot < k; slot++) {
        votes[labels[neighbours.indices[row * k + slot]]] += w[row * k + slot];
      }
      let best = 0;
      for (let c = 1; c < classCount; c++) if (votes[c] > votes[best]) best = c;
      classes[start + row] = best;
    }
    options.onProgress?.(end, q);
  }
  search.dispose();
  return { classes, probabilities };
}
