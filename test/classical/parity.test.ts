/**
 * Parity with scikit-learn and statsmodels on fixtures/parity.json
 * (regenerate with /usr/bin/python3 fixtures/generate_parity.py).
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { toFloat64 } from "../../src/engine/engine.js";
import { distanceKernel } from "../../src/kernels/distance.js";
import { scottBandwidth, silvermanBandwidth } from "../../src/kernels/bandwidthRules.js";
import { localMean } from "../../src/classical/localMean.js";
import { localize } from "../../src/classical/localize.js";
import { weightedPolynomialModel } from "../../src/classical/polynomial.js";
import { weightedLogisticModel } from "../../src/classical/logistic.js";
import { knnClassify, knnRegress } from "../../src/classical/neighbours.js";
import { estimateMeanShiftBandwidth, meanShift } from "../../src/classical/meanShift.js";
import { locallyLinearEmbedding } from "../../src/classical/lle.js";
import { assertClose, loadFixture, matrix, ready } from "../helpers/arrays.js";

type Regression = {
  train_x: number[][];
  train_y: number[];
  query_x: number[][];
  bandwidth: number[];
  k: number;
  predictions: number[];
};
type Classification = {
  train_x: number[][];
  train_labels: number[];
  query_x: number[][];
  k: number;
  predictions: number[];
  probabilities: number[][];
};
const fixtures = loadFixture<Record<string, unknown>>("parity.json");
const fixture = <T>(name: string) => fixtures[name] as T;

before(() => ready);

test("local constant (Nadaraya–Watson) matches statsmodels KernelReg lc", () => {
  const f = fixture<Regression>("kernelreg_lc");
  const kernel = distanceKernel("gaussian", f.bandwidth);
  const predicted = localMean(kernel, matrix(f.train_x), matrix(f.train_y), matrix(f.query_x));
  assertClose(predicted, f.predictions);
});

test("local polynomial degree 0 and 1 match statsmodels KernelReg lc and ll", () => {
  for (const [degree, name] of [
    [0, "kernelreg_lc"],
    [1, "kernelreg_ll"],
  ] as const) {
    const f = fixture<Regression>(name);
    const model = weightedPolynomialModel(matrix(f.train_x), matrix(f.train_y), degree);
    const kernel = distanceKernel("gaussian", f.bandwidth);
    assertClose(localize(model, kernel, matrix(f.train_x), matrix(f.query_x)), f.predictions);
    model.dispose();
  }
});

test("k-NN regression matches KNeighborsRegressor (uniform and distance)", () => {
  for (const weights of ["uniform", "distance"] as const) {
    const f = fixture<Regression>(`knn_regress_${weights}`);
    const predicted = knnRegress(matrix(f.train_x), matrix(f.train_y), matrix(f.query_x), {
      k: f.k,
      weights,
    });
    assertClose(predicted, f.predictions);
  }
});

test("k-NN classification matches KNeighborsClassifier (uniform and distance)", () => {
  for (const weights of ["uniform", "distance"] as const) {
    const f = fixture<Classification>(`knn_classify_${weights}`);
    const result = knnClassify(
      matrix(f.train_x),
      Int32Array.from(f.train_labels),
      3,
      matrix(f.query_x),
      { k: f.k, weights },
    );
    assert.deepEqual(Array.from(result.classes), f.predictions);
    assertClose(result.probabilities, f.probabilities.flat());
  }
});

test("MeanShift matches scikit-learn (centres and labels up to relabelling)", () => {
  const f = fixture<{
    x: number[][];
    bandwidth: number;
    centers: number[][];
    labels: number[];
    estimated_bandwidth: number;
  }>("meanshift");
  const x = matrix(f.x);
  assertClose([estimateMeanShiftBandwidth(x)], [f.estimated_bandwidth]);
  const result = meanShift(x, { bandwidth: f.bandwidth });
  x.dispose();
  assert.equal(result.clusterCount, f.centers.length);
  const d = f.centers[0].length;
  // Map each of our centres to the reference centre it matches.
  const mapping = new Map<number, number>();
  for (let c = 0; c < result.clusterCount; c++) {
    const ours = Array.from(result.centers.subarray(c * d, c * d + d));
    const match = f.centers.findIndex((ref) =>
      ref.every((v, k) => Math.abs(v - ours[k]) <= 1e-5 * Math.abs(v) + 1e-8),
    );
    assert.ok(match >= 0, `centre ${ours.join(", ")} has no match in ${JSON.stringify(f.centers)}`);
    mapping.set(c, match);
  }
  assert.deepEqual(
    Array.from(result.labels, (label) => mapping.get(label)),
    f.labels,
  );
});

test("LLE matches LocallyLinearEmbedding (up to sign per component)", () => {
  const f = fixture<{
    x: number[][];
    k: number;
    components: number;
    reg: number;
    embedding: number[][];
  }>("lle");
  const embedding = toFloat64(
    locallyLinearEmbedding(matrix(f.x), {
      neighbours: f.k,
      components: f.components,
      regularization: f.reg,
    }),
  );
  const n = f.x.length;
  for (let c = 0; c < f.components; c++) {
    const ours = Array.from({ length: n }, (_, i) => embedding[i * f.components + c]);
    const ref = f.embedding.map((row) => row[c]);
    const sign = Math.sign(ours.reduce((s, v, i) => s + v * ref[i], 0));
    assertClose(
      ours.map((v) => v * sign),
      ref,
      { rtol: 1e-5, atol: 1e-7 },
    );
  }
});

test("local logistic regression with a huge bandwidth is the global fit (sklearn, no penalty)", () => {
  const f = fixture<{
    x: number[][];
    labels: number[];
    query_x: number[][];
    probabilities: number[];
  }>("logistic");
  const model = weightedLogisticModel(matrix(f.x), f.labels, { ridge: 0, iterations: 30 });
  const kernel = distanceKernel("gaussian", 1e6);
  assertClose(localize(model, kernel, matrix(f.x), matrix(f.query_x)), f.probabilities, {
    rtol: 1e-5,
    atol: 1e-7,
  });
  model.dispose();
});

test("Scott and Silverman bandwidths match scipy's gaussian_kde factors", () => {
  const f = fixture<{ x: number[][]; scott: number[]; silverman: number[] }>("bandwidth_rules");
  const x = matrix(f.x);
  assertClose(scottBandwidth(x), f.scott);
  assertClose(silvermanBandwidth(x), f.silverman);
  x.dispose();
});
