/** Shared test helpers: fixture loading, matrices, tolerant comparison. */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { initEngine, np, toFloat64, type JaxArray } from "../../src/engine/engine.js";

export const ready = initEngine();

/** Reads a JSON file from the repository's fixtures/ folder. */
export function loadFixture<T>(name: string): T {
  const url = new URL(`../../../fixtures/${name}`, import.meta.url);
  return JSON.parse(readFileSync(url, "utf8")) as T;
}

/** A float64 (rows, cols) array from nested numbers (a vector becomes a column). */
export function matrix(rows: number[][] | number[]): JaxArray {
  if (rows.length > 0 && typeof rows[0] === "number") {
    return np.array(Float64Array.from(rows as number[]), { dtype: np.float64 }).reshape([-1, 1]);
  }
  const nested = rows as number[][];
  const cols = nested[0].length;
  return np
    .array(Float64Array.from(nested.flat()), { dtype: np.float64 })
    .reshape([nested.length, cols]);
}

/** Asserts |a − b| ≤ rtol·|b| + atol elementwise, naming the first offending index. */
export function assertClose(
  actual: ArrayLike<number> | JaxArray,
  expected: ArrayLike<number>,
  { rtol = 1e-5, atol = 1e-8 }: { rtol?: number; atol?: number } = {},
): void {
  const a = "dataSync" in actual ? toFloat64(actual) : Float64Array.from(actual);
  assert.equal(a.length, expected.length, "length mismatch");
  for (let i = 0; i < a.length; i++) {
    const limit = rtol * Math.abs(expected[i]) + atol;
    if (!(Math.abs(a[i] - expected[i]) <= limit)) {
      assert.fail(`index ${i}: got ${a[i]}, expected ${expected[i]} (tolerance ${limit})`);
    }
  }
}
