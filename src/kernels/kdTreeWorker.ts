/**
 * One thread of ./kdTreeThreads.ts: searches its part of the queries in the tree's shared memory,
 * writes the neighbours into the shared results, and flags its slot done (1) or failed (2).
 */
import { parentPort } from "node:worker_threads";
import { kdTreeNeighbours, type KdTree } from "./kdTree.js";

/** A part of a search: queries [from, to) of the shared query rows. */
export interface KdTreeJob {
  tree: KdTree;
  queries: Float64Array;
  from: number;
  to: number;
  k: number;
  indices: Int32Array;
  distances: Float64Array;
  /** Per part: 0 pending, 1 done, 2 failed. */
  status: Int32Array;
  part: number;
}

parentPort?.on("message", (job: KdTreeJob) => {
  const { tree, queries, from, to, k, status, part } = job;
  try {
    const d = tree.dims;
    const found = kdTreeNeighbours(tree, queries.subarray(from * d, to * d), to - from, k);
    job.indices.set(found.indices, from * k);
    job.distances.set(found.squaredDistances, from * k);
    Atomics.store(status, part, 1);
  } catch {
    Atomics.store(status, part, 2);
  }
  Atomics.notify(status, part);
});
