/**
 * MeanShift clustering: every seed climbs to a mode of the kernel density by repeating the
 * self-local mean x ← m(x) = Σ_j K(x, x_j) x_j / Σ_j K(x, x_j) (docs/math.md#meanshift).
 *
 * The flat kernel follows scikit-learn's MeanShift exactly: seeds are the data points; a seed
 * stops when it moves ≤ 10⁻³·h or after `maxIterations`; modes are ranked by how many points lie
 * within h of them and a mode within h of a stronger one is dropped; every point is labelled with
 * its nearest mode. The gaussian kernel (K = exp(−‖x − x_j‖²/2h²)) uses the same procedure.
 */
import { check, checkInteger, checkPositive } from "../engine/errors.js";
import { fromHost, np, type JaxArray } from "../engine/engine.js";
import { nearestNeighbours } from "../kernels/nearest.js";
import { squaredDistances } from "../kernels/distance.js";
import { indicatorLogWeights } from "../kernels/logKernel.js";
import { localWeights } from "./localMean.js";
import { runReads, runReadsAsync, type Reads } from "./chunks.js";

export const MEAN_SHIFT_KERNELS = ["flat", "gaussian"] as const;
export type MeanShiftKernel = (typeof MEAN_SHIFT_KERNELS)[number];

/** Settings of `meanShift`. */
export interface MeanShiftOptions {
  /** h > 0, the kernel's bandwidth (`estimateMeanShiftBandwidth` suggests one). */
  bandwidth: number;
  /**
   * The kernel: "flat" (scikit-learn's: the mean of the points within h; default) or "gaussian".
   */
  kernel?: MeanShiftKernel;
  /** The most mean-shift steps per seed (default 300, scikit-learn's). */
  maxIterations?: number;
}

/** What `meanShift` returns: the modes found (cluster centres) and each point's cluster. */
export interface MeanShiftResult {
  /** (K·D) cluster centres, row-major, strongest first. */
  centers: Float64Array;
  /** K, the number of clusters (distinct modes after merging those closer than h). */
  clusterCount: number;
  /** (N) index of the nearest centre for each point. */
  labels: Int32Array;
  /** Iterations taken by the slowest seed. */
  iterations: number;
}

/**
 * scikit-learn's `estimate_bandwidth`: the mean over points of the distance to their
 * ⌊quantile·N⌋-th nearest neighbour (the point itself counted first). Borrows x.
 */
export function estimateMeanShiftBandwidth(x: JaxArray, quantile = 0.3): number {
  const [n] = x.shape;
  check(quantile > 0 && quantile <= 1, `quantile must be in (0, 1], got ${quantile}`);
  const k = Math.max(1, Math.floor(n * quantile));
  const neighbours = nearestNeighbours(x.ref, x.ref, k);
  let total = 0;
  for (let row = 0; row < n; row++)
    total += Math.sqrt(neighbours.squaredDistances[row * k + k - 1]);
  return total / n;
}

/**
 * Runs MeanShift on x (N, D), on the calling thread (`meanShiftAsync`: the same on the threads).
 * Borrows x.
 */
export function meanShift(x: JaxArray, options: MeanShiftOptions): MeanShiftResult {
  return runReads(meanShiftReads(x, options));
}

/**
 * `meanShift` on the engine's compute threads (each step's counts and means read
 * asynchronously); the same results. Borrows x.
 */
export function meanShiftAsync(x: JaxArray, options: MeanShiftOptions): Promise<MeanShiftResult> {
  return runReadsAsync(meanShiftReads(x, options));
}

/** The computation of `meanShift`, written once for both ways of reading (chunks.ts, `Reads`). */
function* meanShiftReads(x: JaxArray, options: MeanShiftOptions): Reads<MeanShiftResult> {
  const { bandwidth, kernel = "flat", maxIterations = 300 } = options;
  checkPositive("bandwidth", bandwidth);
  checkInteger("maxIterations", maxIterations, 1);
  check(
    (MEAN_SHIFT_KERNELS as readonly string[]).includes(kernel),
    `unknown MeanShift kernel '${kernel}'; expected flat or gaussian`,
  );
  const [n, d] = x.shape;
  const radius2 = bandwidth * bandwidth;
  const stopDistance = 1e-3 * bandwidth;

  const means = Float64Array.from(yield x.ref); // one seed per point
  const intensity = new Int32Array(n);
  const seedIterations = new Int32Array(n);
  let active = Array.from({ length: n }, (_, i) => i);
  while (active.length > 0) {
    // The A active seeds padded to R rows (copies of the first; their results are not read): an
    // engine operation is compiled per shape, so R takes a few sizes instead of every A that the
    // steps pass through, and the compiled kernels stay few (their memory is never given back).
    const rows = paddedRows(active.length, n);
    const current = fromHost(
      active.length === n ? means : gatherRows(means, padSeeds(active, rows), d),
      [rows, d],
      x.dtype,
    );
    const d2 = squaredDistances(current, x.ref); // (R, N)
    const within = np.lessEqual(d2.ref, radius2);
    const counts = yield within.ref.astype(np.int32).sum(1);
    let logW: JaxArray;
    if (kernel === "flat") {
      logW = indicatorLogWeights(within, x.dtype);
      d2.dispose();
    } else {
      within.dispose();
      logW = d2.mul(-0.5 / radius2);
    }
    const next = yield np.matmul(localWeights(logW), x.ref); // (R, D)
    const stillActive: number[] = [];
    active.forEach((seed, row) => {
      intensity[seed] = counts[row];
      if (counts[row] === 0) return; // nothing within h: this seed is dropped, as in scikit-learn
      let shift2 = 0;
      for (let k = 0; k < d; k++) {
        const delta = next[row * d + k] - means[seed * d + k];
        shift2 += delta * delta;
        means[seed * d + k] = next[row * d + k];
      }
      if (Math.sqrt(shift2) <= stopDistance || seedIterations[seed] === maxIterations) return;
      seedIterations[seed]++;
      stillActive.push(seed);
    });
    active = stillActive;
  }

  const centers = distinctModes(means, intensity, n, d, radius2);
  check(
    centers.length > 0,
    `no point was within bandwidth ${bandwidth} of any seed; increase the bandwidth`,
  );
  const clusterCount = centers.length / d;
  const centerArray = fromHost(centers, [clusterCount, d], x.dtype);
  // The labels stay synchronous (nearestNeighbours has no reads form): N × K distances to the
  // few centres, or a k-d tree on the host, are small next to the iterations above.
  const nearest = nearestNeighbours(x.ref, centerArray, 1);
  return {
    centers,
    clusterCount,
    labels: Int32Array.from(nearest.indices),
    iterations: Math.max(0, ...seedIterations),
  };
}

/**
 * R ≥ A rows for A active seeds of N: the next power of two, at most N, so at most ⌈log₂ N⌉ + 1
 * shapes. (Four sizes per doubling wasted fewer rows but compiled more: slower, and twice the
 * memory, at N = 2,000.)
 */
export function paddedRows(active: number, n: number): number {
  return Math.min(n, 2 ** Math.ceil(Math.log2(active)));
}
/** `active` followed by copies of its first seed, `rows` in all. */
function padSeeds(active: number[], rows: number): number[] {
  return Array.from({ length: rows }, (_, i) => active[i < active.length ? i : 0]);
}

function gatherRows(data: Float64Array, rows: number[], d: number): Float64Array {
  const out = new Float64Array(rows.length * d);
  rows.forEach((r, i) => out.set(data.subarray(r * d, r * d + d), i * d));
  return out;
}

/**
 * Modes ranked by intensity (then by coordinates, descending, as scikit-learn sorts them); a mode
 * within h of a stronger kept one is suppressed.
 */
function distinctModes(
  means: Float64Array,
  intensity: Int32Array,
  n: number,
  d: number,
  radius2: number,
): Float64Array {
  const byKey = new Map<string, number>();
  for (let seed = 0; seed < n; seed++) {
    if (intensity[seed] === 0) continue;
    byKey.set(Array.from(means.subarray(seed * d, seed * d + d)).join(","), seed);
  }
  const order = [...byKey.values()].sort((a, b) => {
    if (intensity[a] !== intensity[b]) return intensity[b] - intensity[a];
    for (let k = 0; k < d; k++) {
      const diff = means[b * d + k] - means[a * d + k];
      if (diff !== 0) return diff;
    }
    return 0;
  });
  const kept: number[] = [];
  const suppressed = new Uint8Array(order.length);
  order.forEach((seed, i) => {
    if (suppressed[i]) return;
    kept.push(seed);
    for (let j = i + 1; j < order.length; j++) {
      let dist2 = 0;
      for (let k = 0; k < d; k++) {
        const delta = means[seed * d + k] - means[order[j] * d + k];
        dist2 += delta * delta;
      }
      if (dist2 <= radius2) suppressed[j] = 1;
    }
  });
  return gatherRows(means, kept, d);
}
