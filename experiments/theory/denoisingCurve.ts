/**
 * The denoising experiment of docs/math.md#denoising-as-a-local-mean: clean points uniform on the
 * unit circle, observed with gaussian noise σ; each noisy point is moved by local-mean steps over
 * the noisy points themselves (no clean data), and after each step we measure the mean distance
 * to the circle and the root-mean-square error to the point's clean position. The reference is
 * the Bayes denoiser E[x | y] under the true prior (uniform on the circle): one local-mean step at
 * h = σ over a fine grid of clean circle points. Drawn from one seed.
 */
import { fromHost, np, toFloat64 } from "../../src/engine/engine.js";
import { seededUniform } from "../../src/engine/random.js";
import { denoise } from "../../src/classical/denoise.js";

/** The number of points, the noise level, the bandwidths and step counts compared, the seed. */
export interface DenoisingOptions {
  /** Noisy points N. */
  points: number;
  /** Noise level σ. */
  noise: number;
  /** Bandwidths h, as multiples of σ, one denoiser each. */
  bandwidths: number[];
  /** Step counts to report (0 = the noisy points). */
  steps: number[];
  seed: number;
}

/** Mean distance to the circle and root-mean-square error to the clean points. */
export interface CurveScores {
  /** Mean over points of |‖p‖ − 1|, the distance to the circle. */
  distance: number;
  /** √(mean ‖p − x‖²), x the clean point. */
  rmse: number;
}

/** The scores per step count (one per bandwidth), and the Bayes denoiser's. */
export interface DenoisingResult {
  /** One row per step count: the scores of each bandwidth. */
  rows: { steps: number; scores: CurveScores[] }[];
  /** The Bayes denoiser under the true prior. */
  bayes: CurveScores;
}

function gaussian(uniform: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}

function scores(points: Float64Array, clean: Float64Array): CurveScores {
  const n = clean.length / 2;
  let distance = 0;
  let squared = 0;
  for (let i = 0; i < n; i++) {
    const [px, py] = [points[2 * i], points[2 * i + 1]];
    distance += Math.abs(Math.hypot(px, py) - 1) / n;
    squared += ((px - clean[2 * i]) ** 2 + (py - clean[2 * i + 1]) ** 2) / n;
  }
  return { distance, rmse: Math.sqrt(squared) };
}

/** Draws the points, runs the local-mean steps and scores each against the Bayes denoiser. */
export function runDenoisingExperiment(options: DenoisingOptions): DenoisingResult {
  const { points: n, noise: sigma, seed } = options;
  const uniform = seededUniform(seed);
  const clean = new Float64Array(2 * n);
  const noisy = new Float64Array(2 * n);
  for (let i = 0; i < n; i++) {
    const angle = 2 * Math.PI * uniform();
    clean.set([Math.cos(angle), Math.sin(angle)], 2 * i);
    noisy.set(
      [clean[2 * i] + sigma * gaussian(uniform), clean[2 * i + 1] + sigma * gaussian(uniform)],
      2 * i,
    );
  }
  const matrix = (data: Float64Array) => fromHost(data, [data.length / 2, 2], np.float64);
  const maxSteps = Math.max(...options.steps);
  const trajectories = options.bandwidths.map((multiple) => {
    const byStep = new Map<number, CurveScores>();
    let state: Float64Array = noisy;
    if (options.steps.includes(0)) byStep.set(0, scores(state, clean));
    for (let step = 1; step <= maxSteps; step++) {
      state = toFloat64(denoise(matrix(noisy), matrix(state), { bandwidth: multiple * sigma }));
      if (options.steps.includes(step)) byStep.set(step, scores(state, clean));
    }
    return byStep;
  });
  const grid = Float64Array.from({ length: 2 * 4096 }, (_, k) => {
    const angle = (2 * Math.PI * Math.floor(k / 2)) / 4096;
    return k % 2 === 0 ? Math.cos(angle) : Math.sin(angle);
  });
  const bayes = scores(
    toFloat64(denoise(matrix(grid), matrix(noisy), { bandwidth: sigma })),
    clean,
  );
  return {
    rows: options.steps.map((steps) => ({
      steps,
      scores: trajectories.map((t) => t.get(steps) as CurveScores),
    })),
    bayes,
  };
}
