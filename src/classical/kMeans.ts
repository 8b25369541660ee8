/**
 * k-means (Lloyd's algorithm with k-means++ seeding; docs/math.md#fuzzy-rules-tsk): the centre
 * update is a local mean of the data under the nearest-centre kernel,
 *
 *   c_r ← Σ_j K(c_r, x_j) x_j / Σ_j K(c_r, x_j),   K(c_r, x_j) = 1{c_r is the centre nearest x_j},
 *
 * computed by the weighted-mean primitive; a centre with no point (an empty row, zero mass) stays
 * where it is. Seeding picks the first centre uniformly and each next one with probability
 * ∝ the squared distance to the nearest centre so far, from a seeded generator.
 */
import { check, checkInteger } from "../engine/errors.js";
import { fromHost, np, toFloat64, type JaxArray } from "../engine/engine.js";
import { seededUniform } from "../engine/random.js";
import { indicatorLogWeights } from "../kernels/logKernel.js";
import { nearestNeighbours } from "../kernels/nearest.js";
import { weightedMean } from "../kernels/weightedMean.js";

/** Settings of `kMeans`: the seed of its k-means++ start and the iteration limit. */
export interface KMeansOptions {
  /** Seed of the k-means++ seeding (default 0): the same seed gives the same clusters. */
  seed?: number;
  /** The most Lloyd iterations (default 100); it stops earlier when no assignment changes. */
  maxIterations?: number;
}

/** What `kMeans` returns: the centres, each point's centre, and the Lloyd iterations run. */
export interface KMeansResult {
  /** (k, D) the centres. */
  centres: JaxArray;
  /** (N) the index of each point's centre. */
  labels: Int32Array;
  /**
   * Lloyd iterations run (each assigns every point, then moves every centre to its points' mean).
   */
  iterations: number;
}

/** k-means++ seeds: k rows of x (N·D on the host). */
function seedCentres(x: Float64Array, n: number, d: number, k: number, seed: number): Float64Array {
  const uniform = seededUniform(seed);
  const centres = new Float64Array(k * d);
  const nearest = new Float64Array(n).fill(Infinity);
  let chosen = Math.floor(uniform() * n);
  for (let r = 0; r < k; r++) {
    centres.set(x.subarray(chosen * d, chosen * d + d), r * d);
    let total = 0;
    for (let i = 0; i < n; i++) {
      let d2 = 0;
      for (let c = 0; c < d; c++) d2 += (x[i * d + c] - centres[r * d + c]) ** 2;
      nearest[i] = Math.min(nearest[i], d2);
      total += nearest[i];
    }
    if (r === k - 1) break;
    check(total > 0, `k-means needs at least ${k} distinct rows; the data has only ${r + 1}`);
    let target = uniform() * total;
    chosen = n - 1;
    for (let i = 0; i < n; i++) {
      target -= nearest[i];
      if (target < 0 && nearest[i] > 0) {
        chosen = i;
        break;
      }
    }
  }
  return centres;
}

/** k-means on x (N, D); borrows x. */
export function kMeans(x: JaxArray, k: number, options: KMeansOptions = {}): KMeansResult {
  const { seed = 0, maxIterations = 100 } = options;
  const [n, d] = x.shape;
  checkInteger("k", k, 1);
  check(k <= n, `k = ${k} is larger than the ${n} rows; choose k ≤ ${n}`);
  checkInteger("maxIterations", maxIterations, 1);
  let centres = fromHost(seedCentres(toFloat64(x.ref), n, d, k, seed), [k, d], x.dtype);
  let labels = new Int32Array(n).fill(-1);
  let iterations = 0;
  while (iterations < maxIterations) {
    const next = nearestNeighbours(x.ref, centres.ref, 1).indices;
    if (next.every((label, i) => label === labels[i])) break;
    labels = Int32Array.from(next);
    iterations++;
    const assigned = np.equal(
      np.arange(k).reshape([k, 1]),
      np.array(labels, { dtype: np.int32 }).reshape([1, n]),
    ); // (k, N): K(c_r, x_j)
    const { mean, mass } = weightedMean(indicatorLogWeights(assigned, x.dtype), x.ref);
    centres = np.where(np.greater(mass, 0), mean, centres).astype(x.dtype);
  }
  return { centres, labels, iterations };
}
