/**
 * Seeded splits of bags: a permutation, the validation split of a fit and the folds of a
 * cross-validation. Each depends only on (count, seed), so a fit or a fold can be reproduced.
 */
import { check } from "../engine/errors.js";
import { hash32, seededUniform } from "../engine/random.js";

/** A seeded permutation of 0 … n − 1 (Fisher–Yates). */
export function permutation(n: number, seed: number): number[] {
  const uniform = seededUniform(seed);
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

/**
 * The bags a fit trains on and the ones it holds out: round(fraction·n) of them (at least one when
 * the fraction is positive), chosen by the seed; both lists ascending.
 */
export function validationSplit(
  n: number,
  fraction: number,
  seed: number,
): { train: number[]; validation: number[] } {
  const held = fraction > 0 ? Math.max(1, Math.round(fraction * n)) : 0;
  const order = permutation(n, hash32(seed, 0, 0x7a1d));
  const ascending = (list: number[]) => list.sort((a, b) => a - b);
  return { train: ascending(order.slice(held)), validation: ascending(order.slice(0, held)) };
}

/** K folds of n bags, near-equal in size, chosen by the seed; each fold ascending. */
export function crossValidationFolds(n: number, k: number, seed: number): number[][] {
  check(
    Number.isInteger(k) && k >= 2 && k <= n,
    `cross-validation needs between 2 and ${n} folds (one bag each at most), got ${k}`,
  );
  const order = permutation(n, hash32(seed, 0, 0xcf01d));
  return Array.from({ length: k }, (_, f) =>
    order.filter((_, i) => i % k === f).sort((a, b) => a - b),
  );
}
