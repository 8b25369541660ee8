/** The k-d tree search returns exactly the brute-force neighbours, ties to the lower index. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { fromHost, np } from "../../src/engine/engine.js";
import { buildKdTree, kdTreeNeighbours } from "../../src/kernels/kdTree.js";
import { neighbourSearch, selectSmallest } from "../../src/kernels/nearest.js";
import { seededUniform } from "../../src/engine/random.js";
import { ready } from "../helpers/arrays.js";

before(() => ready);

/** Plain brute force: exact squared distances, sorted by (distance, index). */
function bruteForce(
  keys: Float64Array,
  n: number,
  queries: Float64Array,
  q: number,
  d: number,
  k: number,
) {
  const distances = new Float64Array(q * n);
  for (let r = 0; r < q; r++)
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += (queries[r * d + j] - keys[i * d + j]) ** 2;
      distances[r * n + i] = s;
    }
  return selectSmallest(distances, q, n, k);
}

test("k-d tree = brute force on random data with duplicates and ties, in 1 to 12 dimensions", () => {
  const uniform = seededUniform(99);
  for (const [n, d, k] of [
    [300, 1, 7],
    [800, 2, 1],
    [600, 3, 10],
    [1000, 8, 5],
    [500, 12, 3],
    [40, 2, 40],
  ]) {
    // Coordinates on a coarse grid: many exact ties in distance, and repeated points.
    const keys = Float64Array.from({ length: n * d }, () => Math.floor(uniform() * 6));
    const q = 50;
    const queries = Float64Array.from(
      { length: q * d },
      () => Math.floor(uniform() * 7) - 0.5 * (uniform() < 0.5 ? 1 : 0),
    );
    const tree = buildKdTree(keys, n, d);
    const got = kdTreeNeighbours(tree, queries, q, k);
    const want = bruteForce(keys, n, queries, q, d, k);
    assert.deepEqual(Array.from(got.indices), Array.from(want.indices), `n=${n} d=${d} k=${k}`);
    assert.deepEqual(Array.from(got.squaredDistances), Array.from(want.squaredDistances));
  }
});

test("the search picks the tree for low dimensions and many keys, with the same answer as the engine's", () => {
  const uniform = seededUniform(7);
  const n = 2000;
  const d = 4;
  const keys = Float64Array.from({ length: n * d }, () => uniform());
  const queries = Float64Array.from({ length: 30 * d }, () => uniform());
  const tree = neighbourSearch(fromHost(keys, [n, d], np.float64)).search(
    fromHost(queries, [30, d], np.float64),
    6,
  );
  const brute = bruteForce(keys, n, queries, 30, d, 6);
  assert.deepEqual(Array.from(tree.indices), Array.from(brute.indices));
});
