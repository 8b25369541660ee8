/** Seeded pseudo-random test data: the same seed gives the same data. */
export { seededUniform as seededRandom } from "../../src/engine/random.js";

/** rows × cols uniform numbers in [lo, hi). */
export function uniformRows(
  random: () => number,
  rows: number,
  cols: number,
  lo = -1,
  hi = 1,
): number[][] {
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => lo + (hi - lo) * random()),
  );
}
