/**
 * One thread of ./kdTreeThreads.ts: takes blocks of the queries from the shared counter until
 * none is left, searches each in the tree's shared memory, writes the neighbours into the shared
 * results, and flags its slot done (1) or failed (2). The main thread runs `searchBlocks` too.
 */
import { parentPort } from "node:worker_threads";
import { searchBlocks, type KdTreeJob } from "./kdTreeBlocks.js";

parentPort?.on("message", (job: KdTreeJob) => {
  try {
    searchBlocks(job);
    Atomics.store(job.status, job.part, 1);
  } catch {
    Atomics.store(job.status, job.part, 2);
  }
  Atomics.notify(job.status, job.part);
});
