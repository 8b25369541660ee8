/**
 * The distribution-regression tasks (docs/math.md#exact-targets-of-the-distribution-tasks) and
 * two-stage sampling: N distributions P_i drawn from a task's family, each with its exact target
 * F(P_i) (closed form or high-accuracy numerics, never estimated from the samples), then m
 * samples from each P_i. Seeded: bag i's distribution and its sample stream depend only on
 * (seed, i), so the first N bags of a larger draw are the N-bag draw, and the first m samples of
 * a bag are its m-sample draw (learning curves nest).
 */
import { check } from "../../engine/errors.js";
import { hash32 } from "../../engine/random.js";
import type { BagSet } from "./bags.js";
import {
  CLUSTER_COMPONENTS,
  CLUSTER_DIM,
  RAW_PER_COMPONENT,
  drawClusterMixture,
  mixtureTarget,
  sampleDiagonalMixture,
} from "./clustering.js";
import {
  drawGaussianD,
  drawRotatedGaussian,
  gaussianLogDet,
  rotatedFirstEntropy,
  sampleGaussianD,
  sampleRotatedGaussian,
} from "./gaussians.js";
import {
  drawMixture1d,
  mixtureEntropy,
  mixtureMean,
  mixtureModes,
  mixtureQuantile,
  mixtureVariance,
  sampleMixture1d,
  type Mixture1d,
} from "./mixture1d.js";
import { bagRng, type Rng } from "./sampling.js";

/** How a task is learned and scored: squared error on its targets, or a mixture's likelihood. */
export type TaskKind = "regression" | "mixture";

/** One drawn distribution: its exact target and a sampler. */
export interface TaskDistribution {
  /** f(P), the exact target (T numbers). */
  readonly target: readonly number[];
  /** Writes one sample (d numbers) into out[offset…]. */
  sample(rng: Rng, out: Float64Array, offset: number): void;
}

/**
 * A distribution-regression task: a law over distributions P on ℝ^d whose targets f(P) are known
 * exactly (a mixture's mean, entropy or quantiles, a gaussian's log-determinant, …), so learning
 * curves measure the error against the truth.
 */
export interface DistributionTask {
  /** The task's name, one of `TASK_NAMES`. */
  readonly name: string;
  /** One line saying what the distributions and the targets are. */
  readonly summary: string;
  /** d */
  readonly dim: number;
  /** The names of the target's T components. */
  readonly targetNames: readonly string[];
  /** How a model learns it: squared error on the targets, or a mixture's likelihood. */
  readonly kind: TaskKind;
  /** Mixture tasks: the raw outputs a neural model predicts (K·(1 + 2d)). */
  readonly rawOutputs?: number;
  /**
   * Draws one distribution P (first stage) with its exact target and a sampler of it (second
   * stage).
   */
  draw(rng: Rng): TaskDistribution;
}

function mixtureTask(
  name: string,
  summary: string,
  functional: (mixture: Mixture1d) => number,
): DistributionTask {
  return {
    name,
    summary,
    dim: 1,
    targetNames: [name.replace(/^mixture-/, "")],
    kind: "regression",
    draw(rng) {
      const mixture = drawMixture1d(rng);
      return {
        target: [functional(mixture)],
        sample: (r, out, offset) => {
          out[offset] = sampleMixture1d(mixture, r);
        },
      };
    },
  };
}

/** The task names, in the order the help lists them. */
export const TASK_NAMES = [
  "mixture-mean",
  "mixture-variance",
  "mixture-entropy",
  "mixture-quantile",
  "mixture-modes",
  "rotated-entropy",
  "gaussian-logdet",
  "clustering",
] as const;
export type TaskName = (typeof TASK_NAMES)[number];

/** Settings of `distributionTask`. */
export interface TaskOptions {
  /** Dimension of gaussian-logdet (default 3). */
  dim?: number;
}

/** The largest dimension gaussian-logdet takes. */
export const MAX_LOGDET_DIM = 32;

/** A task by name. */
export function distributionTask(name: string, options: TaskOptions = {}): DistributionTask {
  switch (name as TaskName) {
    case "mixture-mean":
      return mixtureTask(name, "mean of a 1-D Gaussian mixture (a linear functional)", mixtureMean);
    case "mixture-variance":
      return mixtureTask(name, "variance of a 1-D Gaussian mixture", mixtureVariance);
    case "mixture-entropy":
      return mixtureTask(name, "differential entropy of a 1-D Gaussian mixture", mixtureEntropy);
    case "mixture-quantile":
      return mixtureTask(name, "0.9 quantile of a 1-D Gaussian mixture", (m) =>
        mixtureQuantile(m, 0.9),
      );
    case "mixture-modes":
      return mixtureTask(name, "number of modes of a 1-D Gaussian mixture", mixtureModes);
    case "rotated-entropy":
      return {
        name,
        summary: "entropy of the first coordinate of a rotated 2-D Gaussian (Szabó et al. 2016)",
        dim: 2,
        targetNames: ["entropy"],
        kind: "regression",
        draw(rng) {
          const gaussian = drawRotatedGaussian(rng);
          return {
            target: [rotatedFirstEntropy(gaussian)],
            sample: (r, out, offset) => sampleRotatedGaussian(gaussian, r, out, offset),
          };
        },
      };
    case "gaussian-logdet": {
      const d = options.dim ?? 3;
      check(
        Number.isInteger(d) && d >= 1 && d <= MAX_LOGDET_DIM,
        `the dimension of gaussian-logdet must be an integer in [1, ${MAX_LOGDET_DIM}], got ${d}`,
      );
      return {
        name,
        summary: `log-determinant of the covariance of a ${d}-D Gaussian`,
        dim: d,
        targetNames: ["logdet"],
        kind: "regression",
        draw(rng) {
          const gaussian = drawGaussianD(rng, d);
          return {
            target: [gaussianLogDet(gaussian)],
            sample: (r, out, offset) => sampleGaussianD(gaussian, r, out, offset),
          };
        },
      };
    }
    case "clustering":
      return {
        name,
        summary: "amortized clustering: the parameters of a mixture of 4 Gaussians in 2-D",
        dim: CLUSTER_DIM,
        targetNames: Array.from({ length: CLUSTER_COMPONENTS }, (_, k) =>
          ["weight", "mean1", "mean2", "sd"].map((p) => `${p}${k + 1}`),
        ).flat(),
        kind: "mixture",
        rawOutputs: CLUSTER_COMPONENTS * RAW_PER_COMPONENT,
        draw(rng) {
          const mixture = drawClusterMixture(rng);
          return {
            target: mixtureTarget(mixture),
            sample: (r, out, offset) => sampleDiagonalMixture(mixture, r, out, offset),
          };
        },
      };
    default:
      throw new Error(`unknown task '${name}'`); // callers check the name against TASK_NAMES
  }
}

/** Settings of `sampleBagSet`: N distributions, m samples from each, and the seed. */
export interface TwoStageOptions {
  /** N distributions. */
  bags: number;
  /** m samples from each. */
  samples: number;
  /** Seed of both stages: the same seed gives the same bags and targets. */
  seed: number;
}

/** Two-stage sampling: N distributions with their exact targets, m samples from each. */
export function sampleBagSet(task: DistributionTask, options: TwoStageOptions): BagSet {
  const { bags: n, samples: m, seed } = options;
  check(Number.isInteger(n) && n >= 1, `the number of bags must be ≥ 1, got ${n}`);
  check(Number.isInteger(m) && m >= 1, `the number of samples per bag must be ≥ 1, got ${m}`);
  const d = task.dim;
  const t = task.targetNames.length;
  const samples = new Float64Array(n * m * d);
  const targets = new Float64Array(n * t);
  for (let i = 0; i < n; i++) {
    const distribution = task.draw(bagRng(seed, i, 0));
    targets.set(distribution.target, i * t);
    const rng = bagRng(seed, i, 1);
    for (let s = 0; s < m; s++) distribution.sample(rng, samples, (i * m + s) * d);
  }
  return {
    bags: { count: n, capacity: m, dim: d, samples, sizes: new Int32Array(n).fill(m) },
    targets,
    targetNames: task.targetNames,
  };
}

/** Seeds of the training and test draws: different streams, so test distributions are new ones. */
export function splitSeeds(seed: number): { train: number; test: number } {
  return { train: hash32(seed, 0, 0x7a11), test: hash32(seed, 1, 0x7e57) };
}

/**
 * Every functional of the 1-D mixture family at once (targets mean, variance, entropy, quantile,
 * modes): the pretraining and adaptation data of the prompt-tuning experiment share one draw.
 */
export function mixtureFunctionalsTask(): DistributionTask {
  const functionals: [string, (m: Mixture1d) => number][] = [
    ["mean", mixtureMean],
    ["variance", mixtureVariance],
    ["entropy", mixtureEntropy],
    ["quantile", (m) => mixtureQuantile(m, 0.9)],
    ["modes", mixtureModes],
  ];
  return {
    name: "mixture-functionals",
    summary: "every functional of a 1-D Gaussian mixture",
    dim: 1,
    targetNames: functionals.map(([name]) => name),
    kind: "regression",
    draw(rng) {
      const mixture = drawMixture1d(rng);
      return {
        target: functionals.map(([, f]) => f(mixture)),
        sample: (r, out, offset) => {
          out[offset] = sampleMixture1d(mixture, r);
        },
      };
    },
  };
}
