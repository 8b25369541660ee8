/**
 * Query blocks at scale: a million training rows leave a brute-force search 4 queries per block,
 * and jax-js compiles (and keeps) a kernel per distinct slice offset, so cutting 250,000 blocks
 * with the engine's slice filled memory until V8 aborted (`local knn-regress` on 10⁶ rows, exit
 * 134/139). Blocks are cut on the host now, and a k-d tree search sizes them by k, not by N.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fromHost, initEngine, np } from "../../src/engine/engine.js";
import { mapQueryChunks, queryBlocks } from "../../src/classical/chunks.js";
import { knnClassify, knnRegress } from "../../src/classical/neighbours.js";

await initEngine();

test("thousands of one-row blocks keep memory flat and the values in order", () => {
  const q = 4000;
  const data = Float64Array.from({ length: q * 2 }, (_, i) => i);
  mapQueryChunks(fromHost(data, [q, 2], np.float32), 1, (chunk) => chunk.sum(1)).dispose();
  const before = process.memoryUsage().rss;
  const out = mapQueryChunks(fromHost(data, [q, 2], np.float32), 1, (chunk) => chunk.sum(1));
  const grown = (process.memoryUsage().rss - before) / 2 ** 20;
  const values = out.dataSync();
  assert.equal(values[0], 1);
  assert.equal(values[q - 1], 4 * q - 3);
  // A kernel compiled per offset cost ~20 KiB each: 4000 blocks grew by ~80 MiB.
  assert.ok(grown < 30, `memory grew by ${grown.toFixed(0)} MiB`);
});

test("queryBlocks covers every row once, in order, and hands back one block whole", () => {
  const x = fromHost([1, 2, 3, 4, 5], [5, 1], np.float32);
  const seen: number[][] = [];
  for (const { chunk, start, end } of queryBlocks(x, 2)) {
    assert.equal(chunk.shape[0], end - start);
    seen.push(Array.from(chunk.dataSync() as ArrayLike<number>));
  }
  assert.deepEqual(seen, [[1, 2], [3, 4], [5]]);
  const whole = [...queryBlocks(fromHost([7, 8], [2, 1], np.float32), 5)];
  assert.equal(whole.length, 1);
  assert.deepEqual(Array.from(whole[0].chunk.dataSync() as ArrayLike<number>), [7, 8]);
});

test("k-NN on a k-d tree cuts queries into blocks sized by k, not by the training rows", () => {
  const n = 2000;
  const points = Float64Array.from({ length: n * 2 }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  const targets = Float64Array.from({ length: n }, (_, i) => i % 3);
  const keys = () => fromHost(points, [n, 2], np.float32);
  let blocks = 0;
  knnRegress(keys(), fromHost(targets, [n, 1], np.float32), keys(), {
    k: 5,
    chunkElements: 4000, // 2 rows per block if sized by N; 800 (266 for 3 classes) by k
    onProgress: () => blocks++,
  }).dispose();
  assert.ok(blocks < 10, `${blocks} blocks`); // 1000 when sized by N
  blocks = 0;
  knnClassify(keys(), Int32Array.from(targets), 3, keys(), {
    k: 5,
    chunkElements: 4000,
    onProgress: () => blocks++,
  });
  assert.ok(blocks < 10, `${blocks} blocks`); // 1000 when sized by N
});
