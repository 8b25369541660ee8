/**
 * Checks of the fused gaussian local mean (src/kernels/gaussianSums.ts) and of the asynchronous
 * local means, run by gaussianMean.test.ts on two compute threads and by
 * gaussianMeanOneThread.test.ts on one: values against a plain-JS Nadaraya–Watson in float64
 * (log-sum-exp, so far queries are exact too), and the asynchronous results equal to the
 * synchronous ones (the local means, and the localization trick's weighted fits, `localizeAsync`).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromHost, np, toFloat64, type JaxArray } from "../../src/engine/engine.js";
import { seededUniform } from "../../src/engine/random.js";
import { distanceKernel, type Bandwidth } from "../../src/kernels/distance.js";
import { simdExp } from "../../src/kernels/gaussianSums.js";
import {
  localMean,
  localMeanAsync,
  localMode,
  localModeAsync,
} from "../../src/classical/localMean.js";
import { localize, localizeAsync } from "../../src/classical/localize.js";
import { kernelDensity, kernelDensityAsync } from "../../src/classical/density.js";
import { weightedPolynomialModel } from "../../src/classical/polynomial.js";
import { assertClose } from "../helpers/arrays.js";

interface Problem {
  keys: Float64Array; // (N, D)
  values: Float64Array; // (N, M)
  queries: Float64Array; // (Q, D)
  n: number;
  q: number;
  d: number;
  m: number;
}

/** Keys and queries uniform on [0, 1]^D, values uniform; the last query far outside. */
function problem(n: number, q: number, d: number, m: number, seed: number): Problem {
  const uniform = seededUniform(seed);
  const draw = (count: number) => Float64Array.from({ length: count }, () => uniform());
  const queries = draw(q * d);
  queries.fill(6, (q - 1) * d); // ‖x* − x_j‖/h ≥ 25 at h = 0.2: every float32 weight underflows
  return { keys: draw(n * d), values: draw(n * m), queries, n, q, d, m };
}

/** m(x*) = Σ_j K_j v_j / Σ_j K_j, K_j = exp(−Σ_d ((x*_d − x_jd)/h_d)²/2 − shift), in float64. */
function oracle(p: Problem, bandwidth: Bandwidth): Float64Array {
  const h = (f: number) => (typeof bandwidth === "number" ? bandwidth : bandwidth[f]);
  const out = new Float64Array(p.q * p.m);
  const logK = new Float64Array(p.n);
  for (let i = 0; i < p.q; i++) {
    let top = -Infinity;
    for (let j = 0; j < p.n; j++) {
      let u2 = 0;
      for (let f = 0; f < p.d; f++)
        u2 += ((p.queries[i * p.d + f] - p.keys[j * p.d + f]) / h(f)) ** 2;
      logK[j] = -u2 / 2;
      top = Math.max(top, logK[j]);
    }
    let mass = 0;
    for (let j = 0; j < p.n; j++) {
      const w = Math.exp(logK[j] - top);
      mass += w;
      for (let c = 0; c < p.m; c++) out[i * p.m + c] += w * p.values[j * p.m + c];
    }
    for (let c = 0; c < p.m; c++) out[i * p.m + c] /= mass;
  }
  return out;
}

function arrays(p: Problem, dtype: np.DType): [JaxArray, JaxArray, JaxArray] {
  return [
    fromHost(p.keys, [p.n, p.d], dtype),
    fromHost(p.values, [p.n, p.m], dtype),
    fromHost(p.queries, [p.q, p.d], dtype),
  ];
}

export function gaussianMeanChecks(): void {
  // N = 301 is not a multiple of 4 (the keys are padded), chunkElements cuts 5 blocks.
  const cases = [
    { name: "one bandwidth", bandwidth: 0.2 as Bandwidth, p: problem(301, 50, 3, 2, 5) },
    { name: "a bandwidth per feature", bandwidth: [0.15, 0.3, 0.2], p: problem(256, 33, 3, 1, 6) },
  ];
  for (const { name, bandwidth, p } of cases) {
    const expected = oracle(p, bandwidth);
    const kernel = distanceKernel("gaussian", bandwidth);
    const chunkElements = 10 * p.n;
    for (const [dtype, rtol] of [
      [np.float64, 2e-5], // the engine's exp is float32-accurate (engine/precise.ts)
      [np.float32, 2e-4], // simdExp, and float32 distances
    ] as const) {
      test(`gaussian local mean, ${name}, ${dtype}: plain-JS Nadaraya–Watson`, () => {
        const got = toFloat64(localMean(kernel, ...arrays(p, dtype), { chunkElements }));
        assertClose(got, expected, { rtol, atol: rtol });
      });
      test(`gaussian local mean, ${name}, ${dtype}: localMeanAsync equals localMean`, async () => {
        const sync = toFloat64(localMean(kernel, ...arrays(p, dtype), { chunkElements }));
        const done: number[] = [];
        const onProgress = (rows: number) => void done.push(rows);
        const threaded = await localMeanAsync(kernel, ...arrays(p, dtype), {
          chunkElements,
          onProgress,
        });
        assert.deepEqual(Array.from(toFloat64(threaded)), Array.from(sync));
        const ends = Array.from({ length: Math.ceil(p.q / 10) }, (_, b) =>
          Math.min(p.q, 10 * b + 10),
        );
        assert.deepEqual(done, ends);
      });
    }
  }

  test("a compact kernel: localMeanAsync equals localMean, NaN rows included", async () => {
    const p = problem(200, 40, 2, 1, 7);
    const kernel = distanceKernel("epanechnikov", 0.3);
    const sync = toFloat64(localMean(kernel, ...arrays(p, np.float64), { chunkElements: 2000 }));
    assert.ok(Number.isNaN(sync[p.q - 1]), "the far query has no key inside the support");
    const threaded = await localMeanAsync(kernel, ...arrays(p, np.float64), {
      chunkElements: 2000,
    });
    assert.deepEqual(Array.from(toFloat64(threaded)), Array.from(sync));
  });

  test("localModeAsync equals localMode", async () => {
    const p = problem(120, 25, 2, 1, 8);
    const labels = Int32Array.from(p.values, (v) => Math.floor(v * 3));
    const kernel = distanceKernel("gaussian", 0.25);
    const [keys, , queries] = arrays(p, np.float32);
    const sync = localMode(kernel, keys, labels, 3, queries);
    const [keys2, , queries2] = arrays(p, np.float32);
    const threaded = await localModeAsync(kernel, keys2, labels, 3, queries2);
    assert.deepEqual(Array.from(threaded.classes), Array.from(sync.classes));
    assert.deepEqual(toFloat64(threaded.probabilities), toFloat64(sync.probabilities));
  });

  test("localizeAsync equals localize (local linear regression, in blocks)", async () => {
    const p = problem(150, 30, 2, 1, 9);
    const kernel = distanceKernel("gaussian", 0.3);
    const run = async (threaded: boolean) => {
      const [keys, values, queries] = arrays(p, np.float64);
      const model = weightedPolynomialModel(keys.ref, values, 1);
      const options = { chunkElements: 1500 }; // 10 queries a block: three blocks
      const out = threaded
        ? await localizeAsync(model, kernel, keys, queries, options)
        : localize(model, kernel, keys, queries, options);
      model.dispose();
      return Array.from(toFloat64(out));
    };
    const sync = await run(false);
    assert.ok(sync.every(Number.isFinite));
    assert.deepEqual(await run(true), sync);
  });

  test("kernelDensityAsync equals kernelDensity, −∞ rows included", async () => {
    const p = problem(150, 30, 2, 1, 10);
    const run = async (threaded: boolean) => {
      const [keys, values, queries] = arrays(p, np.float64);
      values.dispose();
      const options = { chunkElements: 1500 };
      const out = threaded
        ? await kernelDensityAsync("epanechnikov", 0.3, keys, queries, options)
        : kernelDensity("epanechnikov", 0.3, keys, queries, options);
      return Array.from(toFloat64(out));
    };
    const sync = await run(false);
    assert.equal(sync[p.q - 1], -Infinity, "the far query has no key inside the support");
    assert.deepEqual(await run(true), sync);
  });

  test("simdExp: relative error below 1e-4 on [−87, 0]", () => {
    const grid = Float32Array.from({ length: 1 << 16 }, (_, i) => (-87 * i) / (1 << 16));
    const got = simdExp(np.array(grid, { dtype: np.float32 })).dataSync();
    let worst = 0;
    for (let i = 0; i < grid.length; i++)
      worst = Math.max(worst, Math.abs(got[i] / Math.exp(grid[i]) - 1));
    assert.ok(worst < 1e-4, `worst relative error ${worst}`);
    const floor = simdExp(np.array(Float32Array.from([-Infinity, -200]), { dtype: np.float32 }));
    for (const value of floor.dataSync()) assert.ok(value >= 0 && value < 2e-38, `got ${value}`);
  });
}
