/**
 * The shared part of ./kdTreeThreads.ts's search: a job (the shared tree, queries, block counter
 * and results) and the loop every thread runs on it, the main thread included.
 */
import { kdTreeNeighbours, type KdTree } from "./kdTree.js";

/** A threaded search: the shared tree, queries, counter and results, and this thread's slot. */
export interface KdTreeJob {
  tree: KdTree;
  /** (rows·D) the queries, row-major. */
  queries: Float64Array;
  rows: number;
  k: number;
  /** Queries per block taken from `next`. */
  blockRows: number;
  /** [0]: the first query row no thread has taken yet. */
  next: Int32Array;
  indices: Int32Array;
  distances: Float64Array;
  /** Per part: 0 pending, 1 done, 2 failed. */
  status: Int32Array;
  part: number;
}

/** Searches blocks of `job`'s queries until the counter passes the last row. */
export function searchBlocks(job: KdTreeJob): void {
  const { tree, queries, rows, k, blockRows, next } = job;
  const d = tree.dims;
  for (;;) {
    const from = Atomics.add(next, 0, blockRows);
    if (from >= rows) return;
    const to = Math.min(rows, from + blockRows);
    const found = kdTreeNeighbours(tree, queries.subarray(from * d, to * d), to - from, k);
    job.indices.set(found.indices, from * k);
    job.distances.set(found.squaredDistances, from * k);
  }
}
