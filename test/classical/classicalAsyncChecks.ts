/**
 * The asynchronous forms of the classical methods against their synchronous forms, bit for bit:
 * run by gaussianMean.test.ts on two compute threads and by gaussianMeanOneThread.test.ts on one.
 * Each method is one `Reads` generator run two ways (src/classical/chunks.ts), so any difference
 * would be the threads' arithmetic or a read the generator forgot to yield.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromHost, np, readAsync, toFloat64, type JaxArray } from "../../src/engine/engine.js";
import { seededUniform } from "../../src/engine/random.js";
import { distanceKernel } from "../../src/kernels/distance.js";
import { meanShift, meanShiftAsync } from "../../src/classical/meanShift.js";
import { kernelRidge, kernelRidgeAsync } from "../../src/classical/kernelRidge.js";
import { gaussianProcess, gaussianProcessAsync } from "../../src/classical/gaussianProcess.js";
import { locallyLinearEmbedding, locallyLinearEmbeddingAsync } from "../../src/classical/lle.js";
import { denoise, denoiseAsync } from "../../src/classical/denoise.js";
import { hopfieldRetrieve, hopfieldRetrieveAsync } from "../../src/classical/hopfield.js";
import { tskModel, tskModelAsync } from "../../src/classical/fuzzy.js";

/** `rows` × `columns` values uniform on [0, 1), seeded: (rows, columns) in float64. */
function uniformMatrix(rows: number, columns: number, seed: number): JaxArray {
  const uniform = seededUniform(seed);
  const values = Float64Array.from({ length: rows * columns }, () => uniform());
  return fromHost(values, [rows, columns], np.float64);
}

/** Three blobs in the plane: 20 points each around (0, 0), (1, 0), (0, 1), spread ±0.15. */
function blobs(seed: number): JaxArray {
  const uniform = seededUniform(seed);
  const centres = [
    [0, 0],
    [1, 0],
    [0, 1],
  ];
  const values = Float64Array.from({ length: 120 }, (_, i) => {
    const [row, column] = [Math.floor(i / 2), i % 2];
    return centres[row % 3][column] + 0.3 * (uniform() - 0.5);
  });
  return fromHost(values, [60, 2], np.float64);
}

/** An array's values as a plain list (deepEqual compares them element by element, NaN too). */
const values = (x: JaxArray) => Array.from(toFloat64(x));

export function classicalAsyncChecks(): void {
  for (const kernel of ["flat", "gaussian"] as const) {
    test(`meanShiftAsync equals meanShift, ${kernel} kernel`, async () => {
      const x = blobs(21);
      const options = { bandwidth: 0.4, kernel };
      const sync = meanShift(x, options);
      const threaded = await meanShiftAsync(x, options);
      x.dispose();
      assert.ok(sync.clusterCount >= 1);
      assert.deepEqual(threaded, sync);
    });
  }

  test("kernelRidgeAsync equals kernelRidge: the fit, predictAsync and weightsAsync", async () => {
    const kernel = distanceKernel("gaussian", 0.3);
    const fit = (threaded: boolean) => {
      const [keys, targets] = [uniformMatrix(40, 2, 22), uniformMatrix(40, 1, 23)];
      const options = { ridge: 0.1, chunkElements: 400 }; // 10 queries a block
      return threaded
        ? kernelRidgeAsync(kernel, keys, targets, options)
        : kernelRidge(kernel, keys, targets, options);
    };
    const sync = await fit(false);
    const threaded = await fit(true);
    const queries = () => uniformMatrix(25, 2, 24);
    assert.deepEqual(
      values(await threaded.predictAsync(queries())),
      values(sync.predict(queries())),
    );
    assert.deepEqual(
      values(await threaded.weightsAsync(queries())),
      values(sync.weights(queries())),
    );
    sync.dispose();
    threaded.dispose();
  });

  test("gaussianProcessAsync equals gaussianProcess: the posterior mean and std", async () => {
    const kernel = distanceKernel("gaussian", 0.3);
    const condition = (threaded: boolean) => {
      const [keys, targets] = [uniformMatrix(40, 2, 25), uniformMatrix(40, 1, 26)];
      const options = { noise: 1e-3, chunkElements: 400 };
      return threaded
        ? gaussianProcessAsync(kernel, keys, targets, options)
        : gaussianProcess(kernel, keys, targets, options);
    };
    const sync = await condition(false);
    const threaded = await condition(true);
    const queries = () => uniformMatrix(25, 2, 27);
    const expected = sync.predict(queries());
    const got = await threaded.predictAsync(queries());
    assert.deepEqual(values(got.mean), values(expected.mean));
    assert.deepEqual(values(got.std), values(expected.std));
    sync.dispose();
    threaded.dispose();
  });

  test("locallyLinearEmbeddingAsync equals locallyLinearEmbedding", async () => {
    const x = uniformMatrix(40, 3, 28);
    const options = { neighbours: 6, components: 2 };
    const sync = values(locallyLinearEmbedding(x, options));
    const threaded = await locallyLinearEmbeddingAsync(x, options);
    x.dispose();
    assert.deepEqual(Array.from(await readAsync(threaded)), sync);
  });

  test("denoiseAsync equals denoise: two steps of rate σ²/h² ≠ 1, in blocks", async () => {
    const run = async (threaded: boolean) => {
      const [samples, queries] = [uniformMatrix(50, 2, 29), uniformMatrix(30, 2, 30)];
      const done: number[] = [];
      const options = {
        bandwidth: 0.2,
        noise: 0.1,
        steps: 2,
        chunkElements: 500, // 10 queries a block
        onProgress: (rows: number) => void done.push(rows),
      };
      const out = threaded
        ? await denoiseAsync(samples, queries, options)
        : denoise(samples, queries, options);
      return { out: values(out), done };
    };
    const sync = await run(false);
    assert.deepEqual(sync.done, [10, 20, 30, 40, 50, 60]);
    assert.deepEqual(await run(true), sync);
  });

  test("hopfieldRetrieveAsync equals hopfieldRetrieve: two steps, in blocks", async () => {
    const run = async (threaded: boolean) => {
      const [patterns, probes] = [uniformMatrix(50, 4, 31), uniformMatrix(30, 4, 32)];
      const options = { beta: 4, steps: 2, chunkElements: 500 };
      const out = threaded
        ? await hopfieldRetrieveAsync(patterns, probes, options)
        : hopfieldRetrieve(patterns, probes, options);
      return values(out);
    };
    assert.deepEqual(await run(true), await run(false));
  });

  test("tskModelAsync equals tskModel: centres, consequents and predictions", async () => {
    const fit = (threaded: boolean) => {
      const [x, y] = [uniformMatrix(60, 2, 33), uniformMatrix(60, 1, 34)];
      const options = { width: 0.3, rules: 3, seed: 1 };
      return threaded ? tskModelAsync(x, y, options) : tskModel(x, y, options);
    };
    const sync = await fit(false);
    const threaded = await fit(true);
    assert.deepEqual(threaded.centres, sync.centres);
    assert.deepEqual(threaded.consequents, sync.consequents);
    const queries = () => uniformMatrix(20, 2, 35);
    assert.deepEqual(
      Array.from(await readAsync(threaded.predict(queries()))),
      values(sync.predict(queries())),
    );
    sync.dispose();
    threaded.dispose();
  });
}
