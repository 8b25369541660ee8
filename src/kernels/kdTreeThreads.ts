/**
 * The k-d tree search (./kdTree.ts) on the engine's threads, in Node. The queries are cut into one
 * contiguous part per thread; the main thread searches the first part while worker threads search
 * the others in the tree's shared memory, then waits for them with `Atomics.wait`, so the search
 * stays synchronous for its callers and its results are exactly those of one thread. The Node
 * entry points (src/index.ts, src/cli/main.ts) load this module; the browser never does. The thread
 * count is the engine's (`initEngine({ threads })`).
 */
import { Worker } from "node:worker_threads";
import { engineThreads } from "../engine/engine.js";
import { LocalistError } from "../engine/errors.js";
import { kdTreeNeighbours, useKdTreeSearch, type KdTree, type KdTreeResult } from "./kdTree.js";
import type { KdTreeJob } from "./kdTreeWorker.js";

/** Below this many queries per thread the main thread searches alone (a part costs ~0.1 ms). */
const MIN_ROWS_PER_THREAD = 32;
/** How long to wait for a part beyond the main thread's own time, at least. */
const MIN_PATIENCE_MS = 10_000;

const workers: Worker[] = [];

function workerAt(i: number): Worker {
  while (workers.length <= i) {
    const worker = new Worker(new URL("./kdTreeWorker.js", import.meta.url));
    worker.unref(); // idle threads never keep the process alive
    workers.push(worker);
  }
  return workers[i];
}

function sharedCopy<T extends Float64Array | Int32Array>(
  array: T,
  Kind: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = new Kind(new SharedArrayBuffer(array.length * Kind.BYTES_PER_ELEMENT));
  copy.set(array);
  return copy;
}

function threadedSearch(
  tree: KdTree,
  queries: Float64Array,
  rows: number,
  k: number,
): KdTreeResult {
  const parts = Math.min(engineThreads(), Math.floor(rows / MIN_ROWS_PER_THREAD));
  if (parts <= 1 || !(tree.sorted.buffer instanceof SharedArrayBuffer))
    return kdTreeNeighbours(tree, queries, rows, k);
  const shared = {
    tree: { ...tree, points: new Float64Array(0) }, // the search reads `sorted`, already shared
    queries: sharedCopy(queries, Float64Array),
    k,
    indices: new Int32Array(new SharedArrayBuffer(rows * k * 4)),
    distances: new Float64Array(new SharedArrayBuffer(rows * k * 8)),
    status: new Int32Array(new SharedArrayBuffer(parts * 4)),
  };
  const per = Math.ceil(rows / parts);
  for (let part = 1; part < parts; part++) {
    const job: KdTreeJob = {
      ...shared,
      from: part * per,
      to: Math.min(rows, (part + 1) * per),
      part,
    };
    workerAt(part - 1).postMessage(job);
  }
  const began = performance.now();
  const mine = kdTreeNeighbours(tree, queries.subarray(0, per * tree.dims), per, k);
  shared.indices.set(mine.indices);
  shared.distances.set(mine.squaredDistances);
  const deadline = performance.now() + Math.max(MIN_PATIENCE_MS, 50 * (performance.now() - began));
  for (let part = 1; part < parts; part++) {
    while (Atomics.load(shared.status, part) === 0) {
      const left = deadline - performance.now();
      if (left <= 0)
        throw new LocalistError(
          "a nearest-neighbour search thread did not answer; rerun with one compute thread (`threads` 1) to search on the main thread",
        );
      Atomics.wait(shared.status, part, 0, left);
    }
    if (Atomics.load(shared.status, part) !== 1)
      throw new LocalistError(
        "a nearest-neighbour search thread failed; rerun with one compute thread (`threads` 1) to search on the main thread",
      );
  }
  return { indices: shared.indices, squaredDistances: shared.distances };
}

useKdTreeSearch(threadedSearch);
