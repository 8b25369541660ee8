/**
 * Query chunking: a (Q, N) weight matrix never exists whole. Queries are processed in row blocks
 * sized so that one block's (rows × N) intermediates fit a memory budget; the keys stay resident.
 */
import { fromHost, np, readAsync, type JaxArray } from "../engine/engine.js";

/** Default budget for one block of (rows × keys) intermediates, in array elements. */
export const DEFAULT_CHUNK_ELEMENTS = 1 << 22; // 4 Mi elements: 32 MiB in float64

/**
 * How a method cuts its queries into blocks so that a (rows × keys) matrix fits in memory, and whom
 * it tells after each block.
 */
export interface ChunkOptions {
  /** Called after each block of queries with the rows done and the total (progress displays). */
  onProgress?: (done: number, total: number) => void;
  /** Upper bound on rows × keys per block (elements, not bytes). */
  chunkElements?: number;
}

/** Rows per block for `keys` keys: ⌊budget / keys⌋, at least 1. */
export function rowsPerChunk(keys: number, options: ChunkOptions = {}): number {
  const budget = options.chunkElements ?? DEFAULT_CHUNK_ELEMENTS;
  return Math.max(1, Math.floor(budget / Math.max(1, keys)));
}

/** How to cut a query set: rows per block, and whom to tell after each block. */
export interface ChunkPlan {
  rows: number;
  onProgress?: (done: number, total: number) => void;
}

/** The plan for `keys` keys under `options`. */
export function chunkPlan(keys: number, options: ChunkOptions = {}): ChunkPlan {
  return { rows: rowsPerChunk(keys, options), onProgress: options.onProgress };
}

/**
 * Maps `block` over consecutive row blocks of `queries` (Q, ·) and stacks the results along axis 0.
 * Each block's result is read back to the host before the next block is built: jax-js evaluates
 * lazily, so without that every block's (rows × N) intermediates would be alive at once and the
 * chunking would bound nothing. The results are small ((rows, M)), so the round trip is cheap.
 * Takes ownership of `queries`; `block` owns the slice it receives.
 *
 * The blocks are cut on the host (queryBlocks), not with the engine's slice: jax-js compiles a
 * kernel for every distinct slice offset and keeps it, so 250,000 blocks (a million training rows
 * leave 4 queries per block) filled the process with compiled Wasm until V8 aborted.
 */
export function mapQueryChunks(
  queries: JaxArray,
  plan: number | ChunkPlan,
  block: (chunk: JaxArray, start: number) => JaxArray,
): JaxArray {
  return runReads(queryChunkReads(queries, plan, block));
}

/**
 * `mapQueryChunks` on the engine's compute threads: each block read asynchronously, so jax-js
 * spreads its kernels over the threads (engine/threads.ts); the same blocks and the same results.
 */
export function mapQueryChunksAsync(
  queries: JaxArray,
  plan: number | ChunkPlan,
  block: (chunk: JaxArray, start: number) => JaxArray,
): Promise<JaxArray> {
  return runReadsAsync(queryChunkReads(queries, plan, block));
}

/**
 * The computation of `mapQueryChunks`, written once for both ways of reading (`Reads`); methods
 * that map blocks several times (Hopfield retrieval's steps) `yield*` it.
 */
export function* queryChunkReads(
  queries: JaxArray,
  plan: number | ChunkPlan,
  block: (chunk: JaxArray, start: number) => JaxArray,
): Reads<JaxArray> {
  const { rows, onProgress } =
    typeof plan === "number" ? { rows: plan, onProgress: undefined } : plan;
  const [total] = queries.shape;
  const parts: ArrayLike<number>[] = [];
  let trailing: number[] = [];
  let dtype = queries.dtype;
  for (const { chunk, start, end } of queryBlocks(queries, rows)) {
    const result = block(chunk, start);
    trailing = result.shape.slice(1);
    dtype = result.dtype;
    parts.push(yield result);
    onProgress?.(end, total);
  }
  const width = trailing.reduce((a, b) => a * b, 1);
  const stacked =
    dtype === np.float64 ? new Float64Array(total * width) : new Float32Array(total * width);
  let offset = 0;
  for (const part of parts) {
    stacked.set(part, offset);
    offset += part.length;
  }
  return fromHost(stacked, [total, ...trailing], dtype);
}

/**
 * The row blocks of `queries` (Q, ·), `rows` at a time, each a new engine array made from one host
 * copy of the queries (see mapQueryChunks for why not the engine's slice). Takes ownership of
 * `queries`; the caller owns each block.
 */
export function* queryBlocks(
  queries: JaxArray,
  rows: number,
): Generator<{ chunk: JaxArray; start: number; end: number }> {
  const [total, ...rest] = queries.shape;
  if (total <= rows) {
    yield { chunk: queries, start: 0, end: total };
    return;
  }
  const width = rest.reduce((a, b) => a * b, 1);
  const dtype = queries.dtype;
  const host = queries.dataSync(); // consumes `queries` (jax-js: reading an array releases it)
  for (let start = 0; start < total; start += rows) {
    const end = Math.min(total, start + rows);
    const part = host.subarray(start * width, end * width) as ArrayLike<number>;
    yield { chunk: fromHost(part, [end - start, ...rest], dtype), start, end };
  }
}

/**
 * A computation that reads engine arrays back to the host part way through: it yields each array
 * to read and receives its values. Written once, it runs synchronously (`runReads`: `dataSync`,
 * so every kernel runs on the calling thread) or asynchronously (`runReadsAsync`: the engine's
 * reads, which spread each kernel over the compute threads, engine/threads.ts).
 */
export type Reads<T> = Generator<JaxArray, T, ArrayLike<number>>;

/** Runs `work`, reading each array it yields with `dataSync` (consumes the array). */
export function runReads<T>(work: Reads<T>): T {
  let step = work.next(new Float64Array(0)); // the first value sent is ignored
  while (!step.done) step = work.next(step.value.dataSync());
  return step.value;
}

/** Runs `work`, reading each array it yields asynchronously (consumes the array). */
export async function runReadsAsync<T>(work: Reads<T>): Promise<T> {
  let step = work.next(new Float64Array(0));
  while (!step.done) step = work.next(await readAsync(step.value));
  return step.value;
}
