/**
 * Query chunking: a (Q, N) weight matrix never exists whole. Queries are processed in row blocks
 * sized so that one block's (rows × N) intermediates fit a memory budget; the keys stay resident.
 */
import type { JaxArray } from "../engine.js";
import { np } from "../engine.js";

/** Default budget for one block of (rows × keys) intermediates, in array elements. */
export const DEFAULT_CHUNK_ELEMENTS = 1 << 22; // 4 Mi elements: 32 MiB in float64

export interface ChunkOptions {
  /** Upper bound on rows × keys per block (elements, not bytes). */
  chunkElements?: number;
}

/** Rows per block for `keys` keys: ⌊budget / keys⌋, at least 1. */
export function rowsPerChunk(keys: number, options: ChunkOptions = {}): number {
  const budget = options.chunkElements ?? DEFAULT_CHUNK_ELEMENTS;
  return Math.max(1, Math.floor(budget / Math.max(1, keys)));
}

/**
 * Maps `block` over consecutive row blocks of `queries` (Q, ·) and concatenates the results along
 * axis 0. Takes ownership of `queries`; `block` owns the slice it receives.
 */
export function mapQueryChunks(
  queries: JaxArray,
  rows: number,
  block: (chunk: JaxArray, start: number) => JaxArray,
): JaxArray {
  const [total] = queries.shape;
  const parts: JaxArray[] = [];
  for (let start = 0; start < total; start += rows) {
    const end = Math.min(total, start + rows);
    const chunk = total <= rows ? queries.ref : queries.ref.slice([start, end]);
    parts.push(block(chunk, start));
  }
  queries.dispose();
  if (parts.length === 1) return parts[0];
  return np.concatenate(parts, 0);
}
