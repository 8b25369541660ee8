/**
 * Bags: sets of samples, one set per distribution, with a target per bag. Shapes: B bags, M the
 * largest bag (the capacity), d features, T target columns. Samples are stored row-major as
 * (B, M, d); a bag of size m_b < M holds its samples in rows 0 … m_b − 1 and zeros after them.
 */
import { check } from "../../engine/errors.js";

/**
 * B bags of samples in ℝ^d of possibly different sizes, padded to the largest (M) in one row-major
 * block so that a batch of sets is one array.
 */
export interface Bags {
  /** B */
  readonly count: number;
  /** M: the largest bag; every bag is stored in M rows. */
  readonly capacity: number;
  /** d */
  readonly dim: number;
  /** (B, M, d) row-major; rows past a bag's size are 0. */
  readonly samples: Float64Array;
  /** (B) the number of samples in each bag, 1 ≤ m_b ≤ M. */
  readonly sizes: Int32Array;
}

/** Bags with a target vector each: two-stage samples, or the user's own bags. */
export interface BagSet {
  /** The bags' samples. */
  readonly bags: Bags;
  /** (B, T) row-major. */
  readonly targets: Float64Array;
  /** The names of the T target columns. */
  readonly targetNames: readonly string[];
  /** Bag names (the user's bag ids); synthetic bags are numbered. */
  readonly ids?: readonly string[];
}

/** Bags from per-bag sample lists (each a flat array of m_b·d numbers). */
export function packBags(lists: readonly Float64Array[], dim: number): Bags {
  check(lists.length > 0, "there are no bags");
  const sizes = Int32Array.from(lists, (list) => list.length / dim);
  sizes.forEach((size, b) => check(size >= 1, `bag ${b + 1} is empty; every bag needs a sample`));
  const capacity = Math.max(...sizes);
  const samples = new Float64Array(lists.length * capacity * dim);
  lists.forEach((list, b) => samples.set(list, b * capacity * dim));
  return { count: lists.length, capacity, dim, samples, sizes };
}

/** The samples of bag b as a flat (m_b·d) view. */
export function bagSamples(bags: Bags, b: number): Float64Array {
  const start = b * bags.capacity * bags.dim;
  return bags.samples.subarray(start, start + bags.sizes[b] * bags.dim);
}

/** The bags at `indices`, in that order (their targets too). */
export function selectBags(set: BagSet, indices: readonly number[]): BagSet {
  const { bags } = set;
  const stride = bags.capacity * bags.dim;
  const t = set.targetNames.length;
  const samples = new Float64Array(indices.length * stride);
  const sizes = new Int32Array(indices.length);
  const targets = new Float64Array(indices.length * t);
  indices.forEach((from, to) => {
    check(from >= 0 && from < bags.count, `bag index ${from} is out of range`);
    samples.set(bags.samples.subarray(from * stride, (from + 1) * stride), to * stride);
    sizes[to] = bags.sizes[from];
    targets.set(set.targets.subarray(from * t, (from + 1) * t), to * t);
  });
  const selected: BagSet = {
    bags: { count: indices.length, capacity: bags.capacity, dim: bags.dim, samples, sizes },
    targets,
    targetNames: set.targetNames,
  };
  return set.ids ? { ...selected, ids: indices.map((i) => (set.ids as string[])[i]) } : selected;
}

/** The first N bags. */
export function firstBags(set: BagSet, count: number): BagSet {
  check(count <= set.bags.count, `asked for ${count} bags but there are ${set.bags.count}`);
  return selectBags(
    set,
    Array.from({ length: count }, (_, i) => i),
  );
}

/**
 * Every bag cut to its first min(m, m_b) samples (capacity min(m, M)): the second stage of
 * two-stage sampling with fewer samples, since a bag's samples are drawn in a fixed order.
 */
export function truncateBags(set: BagSet, m: number): BagSet {
  const { bags } = set;
  const capacity = Math.min(m, bags.capacity);
  const d = bags.dim;
  const samples = new Float64Array(bags.count * capacity * d);
  const sizes = Int32Array.from(bags.sizes, (size) => Math.min(size, capacity));
  for (let b = 0; b < bags.count; b++)
    samples.set(
      bags.samples.subarray(b * bags.capacity * d, (b * bags.capacity + sizes[b]) * d),
      b * capacity * d,
    );
  return { ...set, bags: { count: bags.count, capacity, dim: d, samples, sizes } };
}

/** Per-feature mean and standard deviation over every sample of every bag (std 1 if constant). */
export function featureStatistics(bags: Bags): { mean: Float64Array; std: Float64Array } {
  const d = bags.dim;
  const mean = new Float64Array(d);
  const square = new Float64Array(d);
  let n = 0;
  for (let b = 0; b < bags.count; b++) {
    const list = bagSamples(bags, b);
    for (let s = 0; s < bags.sizes[b]; s++) {
      for (let j = 0; j < d; j++) {
        mean[j] += list[s * d + j];
        square[j] += list[s * d + j] ** 2;
      }
    }
    n += bags.sizes[b];
  }
  const std = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    mean[j] /= n;
    const variance = Math.max(0, square[j] / n - mean[j] ** 2);
    std[j] = variance > 1e-24 ? Math.sqrt(variance) : 1;
  }
  return { mean, std };
}

/** The bags with every feature shifted and scaled: (x − mean)/std; padding rows stay 0. */
export function standardizeBags(
  bags: Bags,
  statistics: { mean: Float64Array; std: Float64Array },
): Bags {
  const d = bags.dim;
  const samples = new Float64Array(bags.samples.length);
  for (let b = 0; b < bags.count; b++) {
    const base = b * bags.capacity * d;
    for (let s = 0; s < bags.sizes[b]; s++)
      for (let j = 0; j < d; j++)
        samples[base + s * d + j] =
          (bags.samples[base + s * d + j] - statistics.mean[j]) / statistics.std[j];
  }
  return { ...bags, samples };
}

/** The same bags with only the named target columns. */
export function selectTargets(set: BagSet, names: readonly string[]): BagSet {
  const t = set.targetNames.length;
  const columns = names.map((name) => {
    const at = set.targetNames.indexOf(name);
    check(at >= 0, `there is no target '${name}' (targets: ${set.targetNames.join(", ")})`);
    return at;
  });
  const targets = new Float64Array(set.bags.count * columns.length);
  for (let b = 0; b < set.bags.count; b++)
    columns.forEach((c, j) => (targets[b * columns.length + j] = set.targets[b * t + c]));
  return { ...set, targets, targetNames: names };
}
