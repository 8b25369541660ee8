/**
 * The k-d tree search (./kdTree.ts) on the engine's threads, in Node. The queries are cut into
 * blocks of BLOCK_ROWS that the main thread and the worker threads take in turn from a shared
 * counter (`Atomics.add`), searching the tree's shared memory; the main thread then waits for the
 * workers with `Atomics.wait`, so the search stays synchronous for its callers and its results are
 * exactly those of one thread. Taking blocks instead of one fixed part per thread keeps every
 * thread busy to the end when one is slowed (a busy machine, queries in denser regions). The Node
 * entry points (src/index.ts, src/cli/main.ts) load this module; the browser never does. The
 * thread count is the engine's (`initEngine({ threads })`).
 */
import { Worker } from "node:worker_threads";
import { engineThreads } from "../engine/engine.js";
import { LocalistError } from "../engine/errors.js";
import { kdTreeNeighbours, useKdTreeSearch, type KdTree, type KdTreeResult } from "./kdTree.js";
import { searchBlocks, type KdTreeJob } from "./kdTreeBlocks.js";

/** Below this many queries per thread the main thread searches alone (a part costs ~0.1 ms). */
const MIN_ROWS_PER_THREAD = 32;
/** Queries per block taken from the shared counter (a block costs ~10 ms in 8 dimensions). */
const BLOCK_ROWS = 256;
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
  const job: KdTreeJob = {
    tree: { ...tree, points: new Float64Array(0) }, // the search reads `sorted`, already shared
    queries: sharedCopy(queries, Float64Array),
    rows,
    k,
    blockRows: Math.min(BLOCK_ROWS, Math.ceil(rows / parts)),
    next: new Int32Array(new SharedArrayBuffer(4)),
    indices: new Int32Array(new SharedArrayBuffer(rows * k * 4)),
    distances: new Float64Array(new SharedArrayBuffer(rows * k * 8)),
    status: new Int32Array(new SharedArrayBuffer(parts * 4)),
    part: 0,
  };
  for (let part = 1; part < parts; part++) workerAt(part - 1).postMessage({ ...job, part });
  const began = performance.now();
  searchBlocks(job);
  const deadline = performance.now() + Math.max(MIN_PATIENCE_MS, 50 * (performance.now() - began));
  for (let part = 1; part < parts; part++) {
    while (Atomics.load(job.status, part) === 0) {
      const left = deadline - performance.now();
      if (left <= 0)
        throw new LocalistError(
          "a nearest-neighbour search thread did not answer; rerun with one compute thread (`threads` 1) to search on the main thread",
        );
      Atomics.wait(job.status, part, 0, left);
    }
    if (Atomics.load(job.status, part) !== 1)
      throw new LocalistError(
        "a nearest-neighbour search thread failed; rerun with one compute thread (`threads` 1) to search on the main thread",
      );
  }
  return { indices: job.indices, squaredDistances: job.distances };
}

useKdTreeSearch(threadedSearch);
