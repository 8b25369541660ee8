/**
 * Where an experiment's bags come from, per seed: a training pool and held-out test bags.
 *
 * - A synthetic task: two-stage sampling with seeded, independent draws for the pool (N_max
 *   distributions × m_max samples) and the test bags (new distributions); learning curves use the
 *   first N bags and the first m samples of each, so every curve point is nested in the next.
 * - The user's bags: a seeded split of the bags into test bags and the pool, each bag's samples in
 *   a seeded random order (so "the first m" is a random subset of m, whatever order the file had).
 */
import { hash32 } from "../engine/random.js";
import { packBags, selectBags, bagSamples, type BagSet } from "../data/distributions/bags.js";
import { sampleBagSet, splitSeeds, type DistributionTask } from "../data/distributions/tasks.js";
import { checkFields } from "./fieldError.js";
import { permutation } from "./folds.js";
import type { TaskShape } from "./models.js";

/** The bags of one draw: a training pool and the test bags. */
export interface Draw {
  /** The bags models train on (each run takes the first n of them). */
  pool: BagSet;
  /** The held-out bags every model is scored on. */
  test: BagSet;
}

/**
 * Where an experiment's bags come from: a synthetic task (as many bags as asked) or the user's bag
 * files (a fixed set), with one `draw` that splits them into a training pool and test bags.
 */
export interface DataSource {
  /** The task's name, or the bags file. */
  readonly name: string;
  /** The task's kind, dimension and targets. */
  readonly shape: TaskShape;
  /** The bags there are (Infinity for a synthetic task, which draws as many as asked). */
  readonly bagCount: number;
  /** The most samples per bag (Infinity for a synthetic task). */
  readonly sampleLimit: number;
  /** Pool of `bags` bags and `testBags` test bags, each of (up to) `samples` samples. */
  draw(seed: number, sizes: { bags: number; samples: number; testBags: number }): Draw;
}

/** What a synthetic task asks of a model: its kind, dimension and outputs. */
export function taskShape(task: DistributionTask): TaskShape {
  return {
    kind: task.kind,
    dim: task.dim,
    targets: task.targetNames.length,
    ...(task.rawOutputs !== undefined ? { rawOutputs: task.rawOutputs } : {}),
  };
}

/** A synthetic task as a source. */
export function taskSource(task: DistributionTask): DataSource {
  return {
    name: task.name,
    shape: taskShape(task),
    bagCount: Infinity,
    sampleLimit: Infinity,
    draw(seed, sizes) {
      const seeds = splitSeeds(seed);
      return {
        pool: sampleBagSet(task, { bags: sizes.bags, samples: sizes.samples, seed: seeds.train }),
        test: sampleBagSet(task, {
          bags: sizes.testBags,
          samples: sizes.samples,
          seed: seeds.test,
        }),
      };
    },
  };
}

/** Every bag's samples in a seeded random order. */
function shuffleSamples(set: BagSet, seed: number): BagSet {
  const { bags } = set;
  const d = bags.dim;
  const lists = Array.from({ length: bags.count }, (_, b) => {
    const list = bagSamples(bags, b);
    const order = permutation(bags.sizes[b], hash32(seed, b, 0x5a));
    const out = new Float64Array(list.length);
    order.forEach((from, to) => out.set(list.subarray(from * d, (from + 1) * d), to * d));
    return out;
  });
  return { ...set, bags: packBags(lists, d) };
}

/** The user's bags as a source: `testBags` of them held out per seed, the rest the pool. */
export function bagSource(set: BagSet, name: string): DataSource {
  const count = set.bags.count;
  const source: DataSource = {
    name,
    shape: { kind: "regression", dim: set.bags.dim, targets: set.targetNames.length },
    bagCount: count,
    sampleLimit: set.bags.capacity,
    draw(seed, sizes) {
      checkTrainingBags(source, sizes.bags, sizes.testBags);
      const order = permutation(count, hash32(seed, 0, 0xba95));
      const shuffled = shuffleSamples(set, seed);
      return {
        test: selectBags(shuffled, order.slice(0, sizes.testBags)),
        pool: selectBags(shuffled, order.slice(sizes.testBags, sizes.testBags + sizes.bags)),
      };
    },
  };
  return source;
}

/** Refuses N training bags beside `testBags` held out when the source has too few bags. */
export function checkTrainingBags(source: DataSource, n: number, testBags: number): void {
  checkFields(
    n + testBags <= source.bagCount,
    (name) =>
      `${source.name} has ${source.bagCount} bags: ${testBags} held out leave ${Math.max(0, source.bagCount - testBags)} to train on, fewer than N = ${n}; lower ${name("n")} or ${name("testBags")}`,
  );
}
