/**
 * The k-d tree search on two threads (src/kernels/kdTreeThreads.ts) returns exactly the
 * single-threaded neighbours and distances, ties included, for part boundaries that fall anywhere.
 */
import "../../src/engine/threads.js"; // as a Node entry point does: before the engine
import "../../src/kernels/kdTreeThreads.js";
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { engineThreads, initEngine, machineCores } from "../../src/engine/engine.js";
import { seededUniform } from "../../src/engine/random.js";
import { buildKdTree, kdTreeNeighbours, searchKdTree } from "../../src/kernels/kdTree.js";

const twoCores = { skip: machineCores() < 2 ? "needs 2 cores" : false };

before(() => initEngine({ threads: Math.min(2, machineCores()) }));

test("two threads give the one-thread neighbours", twoCores, () => {
  assert.equal(engineThreads(), 2);
  const uniform = seededUniform(11);
  for (const [n, rows, dims, k, grid] of [
    [3000, 1001, 3, 7, false],
    [2000, 257, 8, 10, false],
    [1500, 300, 2, 5, true], // coordinates on a grid: many equal distances
  ] as const) {
    const draw = (count: number) =>
      Float64Array.from({ length: count * dims }, () =>
        grid ? Math.floor(uniform() * 8) : uniform(),
      );
    const keys = draw(n);
    const queries = draw(rows);
    const tree = buildKdTree(keys, n, dims);
    const threaded = searchKdTree(tree, queries, rows, k);
    const single = kdTreeNeighbours(tree, queries, rows, k);
    assert.deepEqual(Array.from(threaded.indices), Array.from(single.indices));
    assert.deepEqual(Array.from(threaded.squaredDistances), Array.from(single.squaredDistances));
  }
});
