/**
 * MeanShift pads its active seeds to a few row counts, so that the engine compiles its step for a
 * few shapes instead of one per count of seeds still moving (which took jax-js's Wasm memory past
 * 4 GiB at 4,000 points): every count A of N gets R rows with A ≤ R ≤ N, R < 2A, and over all A
 * there are at most ⌈log₂ N⌉ + 1 distinct R.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { paddedRows } from "../../src/classical/meanShift.js";

test("MeanShift's padded row counts cover every active count with few shapes", () => {
  for (const n of [1, 2, 3, 7, 100, 1000, 4096, 5000]) {
    const sizes = new Set<number>();
    for (let a = 1; a <= n; a++) {
      const rows = paddedRows(a, n);
      assert.ok(rows >= a && rows <= n && rows < 2 * a, `n ${n}, a ${a}: ${rows} rows`);
      sizes.add(rows);
    }
    assert.ok(sizes.size <= Math.ceil(Math.log2(n)) + 1, `n ${n}: ${sizes.size} shapes`);
  }
});
