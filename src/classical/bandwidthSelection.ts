/**
 * Bandwidth by leave-one-out cross-validation of the local mean (docs/math.md#bandwidth-rules):
 *
 *   CV(h) = (1/N) Σ_i ‖y_i − m_{−i}(x_i; h)‖²,   m_{−i} the local mean without point i,
 *
 * over h = s · h_Scott (one scale s for all features): a log-spaced grid of s in [0.05, 20],
 * then golden-section refinement of log s around the best grid point.
 */
import { check } from "../engine/errors.js";
import { np, type JaxArray } from "../engine/engine.js";
import { distanceKernel, type DistanceProfile } from "../kernels/distance.js";
import { scottBandwidth } from "../kernels/bandwidthRules.js";
import { chunkPlan, mapQueryChunks, type ChunkOptions } from "./chunks.js";
import { localWeights } from "./localMean.js";

/** Leave-one-out local means at the training points: (N, M). Borrows x and y. */
export function leaveOneOutMeans(
  profile: DistanceProfile,
  bandwidth: number[],
  x: JaxArray,
  y: JaxArray,
  options: ChunkOptions = {},
): JaxArray {
  const kernel = distanceKernel(profile, bandwidth);
  const [n] = x.shape;
  const columns = np.arange(n).reshape([1, n]);
  const means = mapQueryChunks(x.ref, chunkPlan(n, options), (chunk, start) => {
    const [c] = chunk.shape;
    const self = np.equal(np.arange(start, start + c).reshape([c, 1]), columns.ref); // (C, N)
    const logW = np.where(self, -Infinity, kernel.logWeights(chunk, x.ref));
    return np.matmul(localWeights(logW), y.ref);
  });
  columns.dispose();
  return means;
}

/** CV(h) for one bandwidth vector; Infinity when some point has no neighbour with weight. */
export function crossValidationError(
  profile: DistanceProfile,
  bandwidth: number[],
  x: JaxArray,
  y: JaxArray,
  options: ChunkOptions = {},
): number {
  const means = leaveOneOutMeans(profile, bandwidth, x, y, options);
  const error = np.square(means.sub(y.ref)).mean().dataSync()[0];
  return Number.isNaN(error) ? Infinity : error;
}

/**
 * What `crossValidatedBandwidth` returns: the chosen bandwidth, its error, and the cost of the
 * search.
 */
export interface CrossValidationResult {
  /** The chosen bandwidth, one per feature column (s · h_Scott at the best scale s). */
  bandwidth: number[];
  /** The leave-one-out mean squared error of Nadaraya–Watson at that bandwidth. */
  error: number;
  /** How many bandwidths the search evaluated. */
  evaluations: number;
}

/** Minimizes CV(s · h_Scott) over the scale s. Borrows x (N, D) and y (N, M). */
export function crossValidatedBandwidth(
  profile: DistanceProfile,
  x: JaxArray,
  y: JaxArray,
  options: ChunkOptions & { gridPoints?: number; refinements?: number } = {},
): CrossValidationResult {
  const { gridPoints = 25, refinements = 20 } = options;
  const [n] = x.shape;
  check(n >= 3, `cross-validation needs at least 3 training rows, got ${n}`);
  const base = scottBandwidth(x);
  let evaluations = 0;
  const objective = (logScale: number): number => {
    evaluations++;
    const scale = Math.exp(logScale);
    return crossValidationError(
      profile,
      base.map((h) => h * scale),
      x,
      y,
      options,
    );
  };
  const lo = Math.log(0.05);
  const hi = Math.log(20);
  const grid = Array.from(
    { length: gridPoints },
    (_, i) => lo + ((hi - lo) * i) / (gridPoints - 1),
  );
  const values = grid.map(objective);
  let best = 0;
  values.forEach((v, i) => {
    if (v < values[best]) best = i;
  });
  check(
    Number.isFinite(values[best]),
    `cross-validation found no bandwidth where every point has a weighted neighbour (kernel ${profile})`,
  );
  // Golden-section search on [grid[best−1], grid[best+1]].
  let a = grid[Math.max(0, best - 1)];
  let b = grid[Math.min(gridPoints - 1, best + 1)];
  const ratio = (Math.sqrt(5) - 1) / 2;
  let c = b - ratio * (b - a);
  let d = a + ratio * (b - a);
  let fc = objective(c);
  let fd = objective(d);
  for (let step = 0; step < refinements; step++) {
    if (fc <= fd) {
      b = d;
      d = c;
      fd = fc;
      c = b - ratio * (b - a);
      fc = objective(c);
    } else {
      a = c;
      c = d;
      fc = fd;
      d = a + ratio * (b - a);
      fd = objective(d);
    }
  }
  const candidates: [number, number][] = [
    [grid[best], values[best]],
    [c, fc],
    [d, fd],
  ];
  candidates.sort((p, q) => p[1] - q[1]);
  const [logScale, error] = candidates[0];
  return { bandwidth: base.map((h) => h * Math.exp(logScale)), error, evaluations };
}
