/**
 * Denoising as a local mean (docs/math.md#denoising-as-a-local-mean). For y = x + σε with
 * ε ~ N(0, I), Tweedie's formula gives the posterior mean, the least-squares optimal denoiser, from
 * the score of the noisy density: E[x | y] = y + σ² ∇ log p(y). The gaussian local mean over
 * samples x_j at bandwidth h is a step along the score of their kernel density p̂_h:
 *
 *   m_h(y) = Σ_j K_h(y, x_j) x_j / Σ_j K_h(y, x_j) = y + h² ∇ log p̂_h(y),
 *
 * so one step  y ← y + (σ²/h²)(m_h(y) − y)  is Tweedie's denoiser with p̂_h in place of p; with
 * h = σ it is one MeanShift step (and, over clean samples of x, exactly the posterior mean under
 * their empirical distribution). Further steps climb p̂_h: MeanShift.
 */
import { check, checkInteger, checkPositive } from "../engine/errors.js";
import { type JaxArray } from "../engine/engine.js";
import { distanceKernel } from "../kernels/distance.js";
import { localMeanReads } from "./localMean.js";
import { runReads, runReadsAsync, type ChunkOptions, type Reads } from "./chunks.js";

/** Settings of `denoise`: the kernel bandwidth h, the noise level σ and the number of steps. */
export interface DenoiseOptions extends ChunkOptions {
  /** h > 0, the gaussian kernel's bandwidth. */
  bandwidth: number;
  /** σ > 0, the noise level (default h: the plain mean-shift step). */
  noise?: number;
  /** Number of steps, ≥ 1 (default 1). */
  steps?: number;
}

/**
 * Denoised queries: `steps` times y ← y + (σ²/h²)(m_h(y) − y), m_h the gaussian local mean of the
 * samples, on the calling thread (`denoiseAsync`: the same on the threads).
 * samples (N, D), queries (Q, D) → (Q, D). Takes ownership of both.
 */
export function denoise(samples: JaxArray, queries: JaxArray, options: DenoiseOptions): JaxArray {
  return runReads(denoiseReads(samples, queries, options));
}

/**
 * `denoise` on the engine's compute threads (each step's local means read asynchronously); the
 * same results. Takes ownership of both.
 */
export function denoiseAsync(
  samples: JaxArray,
  queries: JaxArray,
  options: DenoiseOptions,
): Promise<JaxArray> {
  return runReadsAsync(denoiseReads(samples, queries, options));
}

/** The steps of `denoise`, written once for both ways of reading (chunks.ts, `Reads`). */
function* denoiseReads(
  samples: JaxArray,
  queries: JaxArray,
  options: DenoiseOptions,
): Reads<JaxArray> {
  const { bandwidth: h, noise = h, steps = 1 } = options;
  checkPositive("bandwidth", h);
  checkPositive("noise", noise);
  checkInteger("steps", steps, 1);
  // σ² and h² must be finite and positive, or every step is NaN (σ = 1e308 squares to ∞).
  check(
    Number.isFinite(noise * noise) && noise * noise > 0 && Number.isFinite(h * h) && h * h > 0,
    `noise σ = ${noise} with bandwidth h = ${h}: σ² or h² is not a finite positive number in double precision; rescale the data so that σ and h lie between 1e-150 and 1e150`,
  );
  const kernel = distanceKernel("gaussian", h);
  const rate = (noise * noise) / (h * h);
  const [q] = queries.shape;
  const { onProgress } = options;
  let state = queries;
  for (let step = 0; step < steps; step++) {
    // Progress over every step's rows, so a long run of steps is seen to move.
    const stepOptions = {
      ...options,
      onProgress: onProgress && ((done: number) => onProgress(step * q + done, steps * q)),
    };
    const mean = yield* localMeanReads(kernel, samples.ref, samples.ref, state.ref, stepOptions);
    state = rate === 1 ? (state.dispose(), mean) : state.ref.add(mean.sub(state).mul(rate));
  }
  samples.dispose();
  return state;
}
