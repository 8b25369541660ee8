/** Properties every local method must have, on seeded random data. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { np, toFloat64 } from "../../src/engine/engine.js";
import { DISTANCE_PROFILES, distanceKernel } from "../../src/kernels/distance.js";
import { dotProductKernel } from "../../src/kernels/sequence.js";
import { localMean, localMode } from "../../src/classical/localMean.js";
import { localize } from "../../src/classical/localize.js";
import { weightedPolynomialModel } from "../../src/classical/polynomial.js";
import { weightedLogisticModel } from "../../src/classical/logistic.js";
import { knnClassify, knnRegress } from "../../src/classical/neighbours.js";
import { meanShift } from "../../src/classical/meanShift.js";
import {
  crossValidatedBandwidth,
  crossValidationError,
  leaveOneOutMeans,
} from "../../src/classical/bandwidthSelection.js";
import { assertClose, matrix, ready } from "../helpers/arrays.js";
import { seededRandom, uniformRows } from "../helpers/random.js";

before(() => ready);

const random = seededRandom(42);
const x = uniformRows(random, 80, 2);
const q = uniformRows(random, 30, 2, -0.9, 0.9);
const y = x.map(([a, b]) => Math.sin(3 * a) + b * b);

test("the local mean of a constant is that constant, for every kernel", () => {
  for (const profile of DISTANCE_PROFILES) {
    const means = localMean(
      distanceKernel(profile, 0.8),
      matrix(x),
      matrix(x.map(() => 3.25)),
      matrix(q),
    );
    assertClose(
      means,
      q.map(() => 3.25),
      { rtol: 1e-12 },
    );
  }
});

test("with a tiny bandwidth the local mean interpolates the nearest training point", () => {
  const means = toFloat64(
    localMean(distanceKernel("gaussian", 1e-3), matrix(x), matrix(y), matrix(q)),
  );
  q.forEach((point, i) => {
    let best = 0;
    x.forEach((p, j) => {
      if (
        Math.hypot(p[0] - point[0], p[1] - point[1]) <
        Math.hypot(x[best][0] - point[0], x[best][1] - point[1])
      )
        best = j;
    });
    assert.ok(Math.abs(means[i] - y[best]) < 1e-9, `query ${i}: ${means[i]} vs nearest ${y[best]}`);
  });
});

test("attention is the local mean under the dot-product kernel: softmax(QKᵀ/√d)V", () => {
  const d = 4;
  const queries = uniformRows(random, 6, d);
  const keys = uniformRows(random, 9, d);
  const values = uniformRows(random, 9, 3);
  const got = localMean(
    dotProductKernel(Math.sqrt(d)),
    matrix(keys),
    matrix(values),
    matrix(queries),
  );
  const expected = queries.flatMap((qi) => {
    const scores = keys.map((kj) => qi.reduce((s, v, c) => s + v * kj[c], 0) / Math.sqrt(d));
    const top = Math.max(...scores);
    const w = scores.map((s) => Math.exp(s - top));
    const total = w.reduce((a, b) => a + b, 0);
    return [0, 1, 2].map((c) => w.reduce((s, wj, j) => s + (wj / total) * values[j][c], 0));
  });
  assertClose(got, expected, { rtol: 1e-6, atol: 1e-9 });
});

test("a compact kernel with no training point in range gives NaN, not a number", () => {
  const far = localMean(
    distanceKernel("epanechnikov", 0.01),
    matrix(x),
    matrix(y),
    matrix([[5, 5]]),
  );
  assert.ok(Number.isNaN(toFloat64(far)[0]));
});

test("permuting the training points changes nothing", () => {
  const order = x.map((_, i) => i).sort((a, b) => ((a * 37) % 80) - ((b * 37) % 80));
  const kernel = distanceKernel("tricube", 0.9);
  const a = toFloat64(localMean(kernel, matrix(x), matrix(y), matrix(q)));
  const b = localMean(
    kernel,
    matrix(order.map((i) => x[i])),
    matrix(order.map((i) => y[i])),
    matrix(q),
  );
  assertClose(b, a, { rtol: 1e-12, atol: 1e-12 });
  const knnA = toFloat64(knnRegress(matrix(x), matrix(y), matrix(q), { k: 5 }));
  const knnB = knnRegress(
    matrix(order.map((i) => x[i])),
    matrix(order.map((i) => y[i])),
    matrix(q),
    { k: 5 },
  );
  assertClose(knnB, knnA, { rtol: 1e-12 });
});

test("k = n gives the global mean", () => {
  const mean = y.reduce((a, b) => a + b, 0) / y.length;
  assertClose(
    knnRegress(matrix(x), matrix(y), matrix(q), { k: x.length }),
    q.map(() => mean),
    { rtol: 1e-12 },
  );
});

test("query chunking does not change results", () => {
  const kernel = distanceKernel("gaussian", 0.4);
  const whole = toFloat64(localMean(kernel, matrix(x), matrix(y), matrix(q)));
  const chunked = localMean(kernel, matrix(x), matrix(y), matrix(q), { chunkElements: 7 * 80 });
  assertClose(chunked, whole, { rtol: 1e-12, atol: 1e-15 });
  const model = weightedPolynomialModel(matrix(x), matrix(y), 1);
  const a = toFloat64(localize(model, kernel, matrix(x), matrix(q)));
  const b = localize(model, kernel, matrix(x), matrix(q), { chunkElements: 1 });
  assertClose(b, a, { rtol: 1e-12, atol: 1e-15 });
  model.dispose();
});

test("local polynomials of degree p reproduce polynomials of degree ≤ p exactly", () => {
  const linear = x.map(([a, b]) => 2 - 3 * a + 0.5 * b);
  const quadratic = x.map(([a, b]) => 1 + a - 2 * b + 0.7 * a * a - 1.1 * a * b + 0.4 * b * b);
  const kernel = distanceKernel("gaussian", 0.3);
  for (const [degree, values, f] of [
    [1, linear, ([a, b]: number[]) => 2 - 3 * a + 0.5 * b],
    [2, quadratic, ([a, b]: number[]) => 1 + a - 2 * b + 0.7 * a * a - 1.1 * a * b + 0.4 * b * b],
  ] as const) {
    const model = weightedPolynomialModel(matrix(x), matrix([...values]), degree);
    assertClose(localize(model, kernel, matrix(x), matrix(q)), q.map(f), {
      rtol: 1e-8,
      atol: 1e-8,
    });
    model.dispose();
  }
});

test("degree 0 local polynomial is Nadaraya–Watson", () => {
  const kernel = distanceKernel("laplacian", 0.5);
  const model = weightedPolynomialModel(matrix(x), matrix(y), 0);
  const nw = toFloat64(localMean(kernel, matrix(x), matrix(y), matrix(q)));
  assertClose(localize(model, kernel, matrix(x), matrix(q)), nw, { rtol: 1e-10, atol: 1e-12 });
  model.dispose();
});

test("local logistic regression separates XOR, which no global linear model can", () => {
  const points = uniformRows(random, 200, 2);
  const labels = points.map(([a, b]) => (a * b > 0 ? 1 : 0));
  const tests = uniformRows(random, 100, 2, -0.8, 0.8).filter(
    ([a, b]) => Math.abs(a) > 0.15 && Math.abs(b) > 0.15,
  );
  const truth = tests.map(([a, b]) => (a * b > 0 ? 1 : 0));
  const accuracy = (p: Float64Array) =>
    p.reduce((s, v, i) => s + ((v > 0.5 ? 1 : 0) === truth[i] ? 1 : 0), 0) / truth.length;
  const local = weightedLogisticModel(matrix(points), labels);
  const localAccuracy = accuracy(
    toFloat64(localize(local, distanceKernel("gaussian", 0.25), matrix(points), matrix(tests))),
  );
  const global = weightedLogisticModel(matrix(points), labels);
  const globalAccuracy = accuracy(
    toFloat64(localize(global, distanceKernel("gaussian", 1e6), matrix(points), matrix(tests))),
  );
  local.dispose();
  global.dispose();
  assert.ok(localAccuracy > 0.9, `local accuracy ${localAccuracy}`);
  assert.ok(globalAccuracy < 0.7, `global accuracy ${globalAccuracy}`);
});

test("the local mode picks the class with the most kernel mass; k-NN votes agree on clear cases", () => {
  const centres = [
    [-0.6, -0.6],
    [0.6, 0.6],
    [-0.6, 0.6],
  ];
  const points = centres.flatMap((c) =>
    uniformRows(random, 30, 2, -0.15, 0.15).map(([a, b]) => [c[0] + a, c[1] + b]),
  );
  const labels = Int32Array.from(points, (_, i) => Math.floor(i / 30));
  const mode = localMode(
    distanceKernel("gaussian", 0.2),
    matrix(points),
    labels,
    3,
    matrix(centres),
  );
  assert.deepEqual(Array.from(mode.classes), [0, 1, 2]);
  const rows = toFloat64(mode.probabilities);
  for (let i = 0; i < 3; i++)
    assertClose([rows[3 * i] + rows[3 * i + 1] + rows[3 * i + 2]], [1], { rtol: 1e-12 });
  assert.deepEqual(
    Array.from(knnClassify(matrix(points), labels, 3, matrix(centres), { k: 7 }).classes),
    [0, 1, 2],
  );
});

test("MeanShift with a gaussian kernel finds the centres of well-separated blobs", () => {
  const centres = [
    [0, 0],
    [4, 4],
  ];
  const points = centres.flatMap((c) =>
    uniformRows(random, 40, 2, -0.5, 0.5).map(([a, b]) => [c[0] + a, c[1] + b]),
  );
  const data = matrix(points);
  const result = meanShift(data, { bandwidth: 1, kernel: "gaussian" });
  data.dispose();
  assert.equal(result.clusterCount, 2);
  const found = [0, 1]
    .map((c) => Array.from(result.centers.subarray(2 * c, 2 * c + 2)))
    .sort((a, b) => a[0] - b[0]);
  found.forEach((c, i) =>
    c.forEach((v, k) =>
      assert.ok(Math.abs(v - centres[i][k]) < 0.15, `centre ${c} vs ${centres[i]}`),
    ),
  );
  assert.equal(new Set(result.labels.subarray(0, 40)).size, 1);
  assert.notEqual(result.labels[0], result.labels[40]);
});

test("leave-one-out means exclude the point itself (plain-JS oracle)", () => {
  const h = [0.3, 0.3];
  const xs = matrix(x);
  const ys = matrix(y);
  const got = leaveOneOutMeans("gaussian", h, xs, ys, { chunkElements: 13 * 80 });
  const expected = x.map((p, i) => {
    let num = 0;
    let den = 0;
    x.forEach((o, j) => {
      if (j === i) return;
      const w = Math.exp(-0.5 * (((p[0] - o[0]) / h[0]) ** 2 + ((p[1] - o[1]) / h[1]) ** 2));
      num += w * y[j];
      den += w;
    });
    return num / den;
  });
  assertClose(got, expected, { rtol: 1e-6, atol: 1e-9 });
  // The selected bandwidth is no worse than any point of a coarse grid around it.
  const best = crossValidatedBandwidth("gaussian", xs, ys);
  for (const scale of [0.25, 0.5, 2, 4]) {
    const other = crossValidationError(
      "gaussian",
      best.bandwidth.map((b) => b * scale),
      xs,
      ys,
    );
    assert.ok(best.error <= other + 1e-12, `scale ${scale}: ${other} < ${best.error}`);
  }
  xs.dispose();
  ys.dispose();
});

test("bad input is rejected with a message naming the problem", () => {
  const kernel = distanceKernel("gaussian", 1);
  assert.throws(
    () => localMean(kernel, matrix(x), matrix(y.slice(1)), matrix(q)),
    /values have 79 rows but keys have 80/,
  );
  assert.throws(
    () => localMean(kernel, matrix(x), matrix(y), matrix([[1, 2, 3]])),
    /queries have 3 features but the training data has 2/,
  );
  assert.throws(
    () => knnRegress(matrix(x), matrix(y), matrix(q), { k: 81 }),
    /k = 81 is larger than the 80 training rows/,
  );
  assert.throws(
    () => weightedPolynomialModel(matrix(x), matrix(y), 3),
    /degree must be 0, 1 or 2, got 3/,
  );
  assert.throws(
    () => meanShift(np.zeros([3, 2], { dtype: np.float64 }), { bandwidth: -1 }),
    /bandwidth must be a positive number, got -1/,
  );
});
