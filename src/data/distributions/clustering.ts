/**
 * Amortized clustering (the Set Transformer paper, Lee et al. 2019, §5.3; its code's sampler):
 * sets drawn from a mixture of K = 4 isotropic Gaussians in 2-D with weights π ~ Dirichlet(1, 1,
 * 1, 1), means μ_k ~ U(−4, 4)² and σ = 0.3; the model predicts the mixture's parameters and is
 * scored by the mean log-likelihood per point of the set under them, against the same under the
 * true parameters (the oracle). docs/math.md#exact-targets-of-the-distribution-tasks.
 *
 * Parameters as a target vector (for the kernel baseline, which regresses them): the components
 * sorted by the first coordinate of their means, each as (π_k, μ_k1, μ_k2, σ_k): 16 numbers.
 * Predicted raw outputs of a neural model (K·(1 + 2·2) numbers, per component [logit π,
 * μ₁, μ₂, s₁, s₂], σ = softplus(s)) are read by `parseMixtureOutputs`, as in the Set Transformer's
 * code.
 */
import { dirichletWeights, uniformBetween, type Rng } from "./sampling.js";
import { logNormalPdf, logSumExp } from "./special.js";

export const CLUSTER_COMPONENTS = 4;
export const CLUSTER_DIM = 2;
export const CLUSTER_SD = 0.3;
export const CLUSTER_RANGE = [-4, 4] as const;
/** Raw outputs per component of a neural model: logit, d means, d scales. */
export const RAW_PER_COMPONENT = 1 + 2 * CLUSTER_DIM;
/** Target numbers per component: weight, d means, σ. */
export const TARGET_PER_COMPONENT = 2 + CLUSTER_DIM;

/** A diagonal Gaussian mixture in d dimensions: K weights, (K, d) means, (K, d) standard deviations. */
export interface DiagonalMixture {
  readonly weights: readonly number[];
  readonly means: readonly number[][];
  readonly sds: readonly number[][];
}

export function drawClusterMixture(rng: Rng): DiagonalMixture {
  const weights = dirichletWeights(rng, CLUSTER_COMPONENTS);
  const means = weights.map(() =>
    Array.from({ length: CLUSTER_DIM }, () => uniformBetween(rng, ...CLUSTER_RANGE)),
  );
  const sds = weights.map(() => Array<number>(CLUSTER_DIM).fill(CLUSTER_SD));
  return { weights, means, sds };
}

export function sampleDiagonalMixture(
  mixture: DiagonalMixture,
  rng: Rng,
  out: Float64Array,
  offset: number,
): void {
  const u = rng.uniform();
  let k = 0;
  let cumulative = mixture.weights[0];
  while (u >= cumulative && k < mixture.weights.length - 1) cumulative += mixture.weights[++k];
  mixture.means[k].forEach((mean, j) => {
    out[offset + j] = mean + mixture.sds[k][j] * rng.normal();
  });
}

/** log p(x) = log Σ_k π_k Π_j φ((x_j − μ_kj)/σ_kj)/σ_kj. */
export function diagonalMixtureLogDensity(mixture: DiagonalMixture, x: ArrayLike<number>): number {
  return logSumExp(
    mixture.weights.map((w, k) => {
      let log = Math.log(w);
      mixture.means[k].forEach((mean, j) => {
        const sd = mixture.sds[k][j];
        log += logNormalPdf((x[j] - mean) / sd) - Math.log(sd);
      });
      return log;
    }),
  );
}

/** (1/m) Σ_s log p(x_s) over a flat (m·d) list of samples. */
export function meanLogLikelihood(mixture: DiagonalMixture, samples: Float64Array): number {
  const d = mixture.means[0].length;
  const m = samples.length / d;
  let total = 0;
  for (let s = 0; s < m; s++) total += diagonalMixtureLogDensity(mixture, samples.subarray(s * d));
  return total / m;
}

/** The parameters as the 16-number target: components sorted by μ_k1, each (π, μ₁, μ₂, σ). */
export function mixtureTarget(mixture: DiagonalMixture): number[] {
  const order = mixture.weights
    .map((_, k) => k)
    .sort((a, b) => mixture.means[a][0] - mixture.means[b][0]);
  return order.flatMap((k) => [mixture.weights[k], ...mixture.means[k], mixture.sds[k][0]]);
}

/**
 * A target vector read back as a mixture. A regression's prediction can be any number, so by
 * default weights are clipped to ≥ 1e-3 and renormalized and σ to ≥ 0.05; `clip` false reads a
 * true target exactly.
 */
export function mixtureFromTarget(target: ArrayLike<number>, clip = true): DiagonalMixture {
  const k = target.length / TARGET_PER_COMPONENT;
  const rows = Array.from({ length: k }, (_, c) =>
    Array.from({ length: TARGET_PER_COMPONENT }, (_, j) => target[c * TARGET_PER_COMPONENT + j]),
  );
  const raw = rows.map((r) => (clip ? Math.max(1e-3, r[0]) : r[0]));
  const total = raw.reduce((a, b) => a + b, 0);
  return {
    weights: raw.map((w) => w / total),
    means: rows.map((r) => r.slice(1, 1 + CLUSTER_DIM)),
    sds: rows.map((r) =>
      Array<number>(CLUSTER_DIM).fill(
        clip ? Math.max(0.05, r[1 + CLUSTER_DIM]) : r[1 + CLUSTER_DIM],
      ),
    ),
  };
}

/** softplus(s) = log(1 + e^s), stable. */
function softplus(s: number): number {
  return s > 30 ? s : Math.log1p(Math.exp(s));
}

/** A neural model's raw outputs (K·5 numbers) as a mixture: softmax weights, softplus scales. */
export function parseMixtureOutputs(raw: ArrayLike<number>): DiagonalMixture {
  const k = raw.length / RAW_PER_COMPONENT;
  const at = (c: number, j: number) => raw[c * RAW_PER_COMPONENT + j];
  const logits = Array.from({ length: k }, (_, c) => at(c, 0));
  const normalizer = logSumExp(logits);
  return {
    weights: logits.map((l) => Math.exp(l - normalizer)),
    means: logits.map((_, c) => Array.from({ length: CLUSTER_DIM }, (_, j) => at(c, 1 + j))),
    sds: logits.map((_, c) =>
      Array.from({ length: CLUSTER_DIM }, (_, j) => softplus(at(c, 1 + CLUSTER_DIM + j)) + 1e-3),
    ),
  };
}
