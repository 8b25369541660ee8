/**
 * The distribution tasks' exact targets, each against a closed form or a Monte Carlo estimate from
 * 10⁶ samples (within 5 standard errors), the special functions against scipy, and two-stage
 * sampling's nesting (the first N bags, the first m samples).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { erf, erfc, normalCdf } from "../../src/data/distributions/special.js";
import {
  mixtureCdf,
  mixtureEntropy,
  mixtureLogDensity,
  mixtureMean,
  mixtureModes,
  mixtureQuantile,
  mixtureVariance,
  sampleMixture1d,
  type Mixture1d,
} from "../../src/data/distributions/mixture1d.js";
import {
  gaussianCovariance,
  gaussianLogDet,
  drawGaussianD,
  rotatedFirstEntropy,
  rotatedFirstVariance,
  sampleGaussianD,
  sampleRotatedGaussian,
} from "../../src/data/distributions/gaussians.js";
import {
  diagonalMixtureLogDensity,
  drawClusterMixture,
  meanLogLikelihood,
  mixtureFromTarget,
  mixtureTarget,
  sampleDiagonalMixture,
} from "../../src/data/distributions/clustering.js";
import { seededRng } from "../../src/data/distributions/sampling.js";
import { firstBags, truncateBags } from "../../src/data/distributions/bags.js";
import { distributionTask, sampleBagSet, TASK_NAMES } from "../../src/data/distributions/tasks.js";

const DRAWS = 1_000_000;

/** Mean and standard error of f over DRAWS values. */
function monteCarlo(draw: () => number): { mean: number; error: number } {
  let sum = 0;
  let square = 0;
  for (let i = 0; i < DRAWS; i++) {
    const v = draw();
    sum += v;
    square += v * v;
  }
  const mean = sum / DRAWS;
  return { mean, error: Math.sqrt(Math.max(0, square / DRAWS - mean * mean) / DRAWS) };
}

function assertWithin(actual: number, expected: number, error: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 5 * error,
    `${what}: exact ${expected}, Monte Carlo ${actual} ± ${error}`,
  );
}

test("erf, erfc and Φ agree with scipy.special to 1e-14", () => {
  // scipy.special.erf / erfc and scipy.stats.norm.cdf (scipy 1.10).
  const cases: [number, number, number][] = [
    [0.1, 0.1124629160182849, 0.8875370839817152],
    [0.5, 0.5204998778130465, 0.4795001221869535],
    [1, 0.8427007929497148, 0.15729920705028516],
    [2, 0.9953222650189527, 0.004677734981047266],
    [2.49, 0.9995707121322661, 0.00042928786773391303],
    [2.5, 0.999593047982555, 0.00040695201744495886],
    [3, 0.9999779095030014, 2.2090496998585445e-5],
    [4, 0.9999999845827421, 1.541725790028002e-8],
    [5, 0.9999999999984626, 1.5374597944280347e-12],
    [-1.5, -0.9661051464753108, 1.9661051464753108],
  ];
  for (const [x, e, c] of cases) {
    assert.ok(Math.abs(erf(x) - e) <= 1e-14 * Math.abs(e), `erf(${x}) = ${erf(x)}, scipy ${e}`);
    assert.ok(Math.abs(erfc(x) - c) <= 1e-13 * Math.abs(c), `erfc(${x}) = ${erfc(x)}, scipy ${c}`);
  }
  assert.ok(Math.abs(normalCdf(-6) - 9.865876450376946e-10) < 1e-23);
  assert.ok(Math.abs(normalCdf(1.2816) - 0.9000084999023248) < 1e-15);
});

const MIXTURE: Mixture1d = {
  weights: [0.5, 0.3, 0.2],
  means: [-1.5, 0.4, 2.2],
  sds: [0.4, 0.9, 0.3],
};

test("1-D mixtures: mean, variance, entropy and the 0.9 quantile against 10⁶-sample Monte Carlo", () => {
  const rng = seededRng(11);
  const xs = Float64Array.from({ length: DRAWS }, () => sampleMixture1d(MIXTURE, rng));
  let i = 0;
  const mean = monteCarlo(() => xs[i++ % DRAWS]);
  assertWithin(mean.mean, mixtureMean(MIXTURE), mean.error, "mean");
  const mu = mixtureMean(MIXTURE);
  i = 0;
  const variance = monteCarlo(() => (xs[i++ % DRAWS] - mu) ** 2);
  assertWithin(variance.mean, mixtureVariance(MIXTURE), variance.error, "variance");
  i = 0;
  const entropy = monteCarlo(() => -mixtureLogDensity(MIXTURE, xs[i++ % DRAWS]));
  assertWithin(entropy.mean, mixtureEntropy(MIXTURE), entropy.error, "entropy");
  // The empirical 0.9 quantile: standard error √(q(1 − q)/n) / p(x_q).
  const q = mixtureQuantile(MIXTURE, 0.9);
  assert.ok(Math.abs(mixtureCdf(MIXTURE, q) - 0.9) < 1e-12, "F(quantile) = 0.9");
  const sorted = Float64Array.from(xs).sort();
  const density = Math.exp(mixtureLogDensity(MIXTURE, q));
  assertWithin(sorted[Math.floor(0.9 * DRAWS)], q, Math.sqrt(0.09 / DRAWS) / density, "quantile");
});

test("1-D mixtures: closed forms of one gaussian, and the entropy's numerical error is tiny", () => {
  const one: Mixture1d = { weights: [1], means: [0.7], sds: [0.45] };
  assert.ok(Math.abs(mixtureMean(one) - 0.7) < 1e-15);
  assert.ok(Math.abs(mixtureVariance(one) - 0.45 ** 2) < 1e-15);
  const exact = 0.5 * Math.log(2 * Math.PI * Math.E * 0.45 ** 2);
  assert.ok(Math.abs(mixtureEntropy(one) - exact) < 1e-10, `${mixtureEntropy(one)} vs ${exact}`);
  // Φ⁻¹(0.9) = 1.2815515655446004 (scipy.stats.norm.ppf)
  assert.ok(Math.abs(mixtureQuantile(one, 0.9) - (0.7 + 0.45 * 1.2815515655446004)) < 1e-11);
});

test("1-D mixtures: the number of modes against the closed-form criterion", () => {
  // Two equal components of equal σ are bimodal exactly when |μ₁ − μ₂| > 2σ.
  for (const [gap, modes] of [
    [1.9, 1],
    [1.99, 1],
    [2.02, 2],
    [2.5, 2],
  ] as const)
    assert.equal(
      mixtureModes({ weights: [0.5, 0.5], means: [0, gap * 0.6], sds: [0.6, 0.6] }),
      modes,
      `gap ${gap}σ`,
    );
  assert.equal(mixtureModes({ weights: [1], means: [2], sds: [0.3] }), 1);
  assert.equal(mixtureModes(MIXTURE), 3);
  assert.equal(
    mixtureModes({ weights: [0.3, 0.3, 0.4], means: [-2, 0, 2], sds: [1, 1, 1] }),
    1,
    "three wide components overlap into one mode",
  );
});

test("rotated 2-D gaussians: the first coordinate's entropy against Monte Carlo", () => {
  for (const angle of [0, 0.7, Math.PI / 2]) {
    const gaussian = { angle };
    const rng = seededRng(3);
    const sample = new Float64Array(2);
    const variance = rotatedFirstVariance(gaussian);
    const estimate = monteCarlo(() => {
      sampleRotatedGaussian(gaussian, rng, sample, 0);
      return 0.5 * Math.log(2 * Math.PI * variance) + sample[0] ** 2 / (2 * variance);
    });
    assertWithin(estimate.mean, rotatedFirstEntropy(gaussian), estimate.error, `angle ${angle}`);
  }
  assert.ok(Math.abs(rotatedFirstVariance({ angle: 0 }) - 1) < 1e-15);
  assert.ok(Math.abs(rotatedFirstVariance({ angle: Math.PI / 2 }) - 4) < 1e-14);
});

/** log det by Gaussian elimination with partial pivoting (plain JS). */
function logDet(matrix: Float64Array, d: number): number {
  const a = Float64Array.from(matrix);
  let log = 0;
  for (let c = 0; c < d; c++) {
    let pivot = c;
    for (let r = c + 1; r < d; r++)
      if (Math.abs(a[r * d + c]) > Math.abs(a[pivot * d + c])) pivot = r;
    if (pivot !== c)
      for (let k = 0; k < d; k++)
        [a[c * d + k], a[pivot * d + k]] = [a[pivot * d + k], a[c * d + k]];
    log += Math.log(Math.abs(a[c * d + c]));
    for (let r = c + 1; r < d; r++) {
      const f = a[r * d + c] / a[c * d + c];
      for (let k = c; k < d; k++) a[r * d + k] -= f * a[c * d + k];
    }
  }
  return log;
}

test("d-dimensional gaussians: log det Σ against the determinant and a 10⁶-sample covariance", () => {
  const d = 4;
  const gaussian = drawGaussianD(seededRng(5), d);
  const sigma = gaussianCovariance(gaussian);
  assert.ok(Math.abs(logDet(sigma, d) - gaussianLogDet(gaussian)) < 1e-10);
  const rng = seededRng(6);
  const x = new Float64Array(d);
  const mean = new Float64Array(d);
  const second = new Float64Array(d * d);
  for (let s = 0; s < DRAWS; s++) {
    sampleGaussianD(gaussian, rng, x, 0);
    for (let i = 0; i < d; i++) {
      mean[i] += x[i] / DRAWS;
      for (let j = 0; j < d; j++) second[i * d + j] += (x[i] * x[j]) / DRAWS;
    }
  }
  const covariance = second.map((v, k) => v - mean[Math.floor(k / d)] * mean[k % d]);
  // The sample log-determinant has standard error about √(2d/n).
  const error = Math.sqrt((2 * d) / DRAWS);
  assertWithin(logDet(covariance, d), gaussianLogDet(gaussian), error, "log det");
});

test("amortized clustering: samples follow the mixture, the target reads back, the oracle wins", () => {
  const mixture = drawClusterMixture(seededRng(8));
  const rng = seededRng(9);
  const samples = new Float64Array(2 * DRAWS);
  for (let s = 0; s < DRAWS; s++) sampleDiagonalMixture(mixture, rng, samples, 2 * s);
  for (let j = 0; j < 2; j++) {
    const exact = mixture.weights.reduce((sum, w, k) => sum + w * mixture.means[k][j], 0);
    let i = 0;
    const estimate = monteCarlo(() => samples[2 * i++ + j]);
    assertWithin(estimate.mean, exact, estimate.error, `mean of coordinate ${j + 1}`);
  }
  const target = mixtureTarget(mixture);
  assert.equal(target.length, 16);
  for (let k = 1; k < 4; k++) assert.ok(target[4 * k + 1] >= target[4 * (k - 1) + 1], "sorted");
  const back = mixtureFromTarget(target, false);
  const x = [0.3, -1.2];
  assert.ok(
    Math.abs(diagonalMixtureLogDensity(back, x) - diagonalMixtureLogDensity(mixture, x)) < 1e-12,
  );
  // Gibbs: the true mixture has the highest expected log-likelihood; a perturbed one is worse.
  const shifted = { ...mixture, means: mixture.means.map(([a, b]) => [a + 0.2, b]) };
  const few = samples.subarray(0, 20_000);
  assert.ok(meanLogLikelihood(mixture, few) > meanLogLikelihood(shifted, few));
});

test("two-stage sampling nests: the first N bags and the first m samples are the smaller draws", () => {
  for (const name of TASK_NAMES) {
    const task = distributionTask(name);
    const big = sampleBagSet(task, { bags: 6, samples: 10, seed: 4 });
    const small = sampleBagSet(task, { bags: 3, samples: 4, seed: 4 });
    const cut = truncateBags(firstBags(big, 3), 4);
    assert.deepEqual(cut.bags.samples, small.bags.samples, name);
    assert.deepEqual(cut.targets, small.targets, name);
    assert.equal(big.targets.length, 6 * task.targetNames.length);
    assert.ok(big.targets.every(Number.isFinite), name);
  }
});
