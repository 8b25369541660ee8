/**
 * The user's own bags for distribution regression, from two CSV files:
 *
 *   bags.csv     bag,x1,x2,…        one row per sample: the bag's id, then its d features
 *   targets.csv  bag,y[,y2,…]       one row per bag: its id, then its target(s)
 *
 * The first column of each file is the bag id (any header name); bags may have different sizes
 * and their rows need not be contiguous (bags keep the order of their first row). A row whose
 * feature cells are all empty declares a bag with no samples, which is refused like every other
 * mistake, in one line: bags of unequal dimension (a row with more or fewer cells), an empty bag,
 * a bag without a target, a target for a bag that has no samples, a target given twice, a cell
 * that is not a finite number, fewer than two bags.
 *
 * The aerosol data of Szabó et al. (MISR1: 800 bags × 100 instances × 16 features, the aerosol
 * optical depth per bag) fits this layout as 80,000 sample rows and 800 target rows.
 */
import { check } from "../engine/errors.js";
import { packBags, type BagSet, type Bags } from "../data/distributions/bags.js";
import { numericCell, readCsv } from "./csv.js";

/** Bags read from a samples file: their ids in file order, the feature names, the packed bags. */
export interface BagsFile {
  bags: Bags;
  ids: string[];
  featureNames: string[];
}

/**
 * Reads the bags of a samples file (`bag,x1,x2,…`) without targets, for prediction: one bag is
 * enough. Every problem is one line naming the file, row and bag.
 */
export function readBagsFile(bagsPath: string): BagsFile {
  const bagsTable = readCsv(
    bagsPath,
    (row, cells, header) =>
      `${bagsPath} row ${row} (bag '${cells[0] ?? ""}') has ${plural(Math.max(0, cells.length - 1), "feature value")} but the header names ${header.length - 1}; every bag must have the same dimension`,
  );
  check(
    bagsTable.header.length >= 2,
    `${bagsPath} needs a bag id column and at least one feature column, got only '${bagsTable.header[0]}'`,
  );
  const features = bagsTable.header.slice(1);
  const d = features.length;
  const samples = new Map<string, number[]>();
  const declaredEmpty = new Map<string, number>();
  bagsTable.rows.forEach((cells, r) => {
    const id = cells[0];
    check(id !== "", `${bagsPath} row ${r + 2} has an empty bag id`);
    if (cells.slice(1).every((cell) => cell === "")) {
      if (!declaredEmpty.has(id)) declaredEmpty.set(id, r + 2);
      if (!samples.has(id)) samples.set(id, []);
      return;
    }
    const list = samples.get(id) ?? [];
    samples.set(id, list);
    features.forEach((name, c) => list.push(numericCell(bagsPath, r + 2, name, cells[c + 1])));
  });
  for (const [id, list] of samples)
    check(
      list.length > 0,
      `${bagsPath}: bag '${id}' is empty (row ${declaredEmpty.get(id)} has no feature values); every bag needs at least one sample`,
    );
  for (const [id, row] of declaredEmpty)
    check(
      false,
      `${bagsPath} row ${row}, bag '${id}': the feature cells are empty; every feature cell must be a finite number`,
    );
  const ids = [...samples.keys()];
  return {
    bags: packBags(
      ids.map((id) => Float64Array.from(samples.get(id) as number[])),
      d,
    ),
    ids,
    featureNames: features,
  };
}

/**
 * Reads bags and their targets; every problem is one line naming the file, row and bag. The
 * feature names (the samples file's header) come with them.
 */
export function readBagFiles(
  bagsPath: string,
  targetsPath: string,
): BagSet & { featureNames: string[] } {
  const { bags, ids, featureNames } = readBagsFile(bagsPath);
  const known = new Set(ids);
  const targetsTable = readCsv(targetsPath);
  check(
    targetsTable.header.length >= 2,
    `${targetsPath} needs a bag id column and at least one target column, got only '${targetsTable.header[0]}'`,
  );
  const targetNames = targetsTable.header.slice(1);
  const t = targetNames.length;
  const targetOf = new Map<string, number[]>();
  targetsTable.rows.forEach((cells, r) => {
    const id = cells[0];
    check(
      known.has(id),
      `${targetsPath} row ${r + 2} names bag '${id}', which has no samples in ${bagsPath}`,
    );
    check(!targetOf.has(id), `${targetsPath} row ${r + 2} gives bag '${id}' a second target`);
    targetOf.set(
      id,
      targetNames.map((name, c) => numericCell(targetsPath, r + 2, name, cells[c + 1], "target")),
    );
  });
  for (const id of ids)
    check(targetOf.has(id), `bag '${id}' of ${bagsPath} has no target in ${targetsPath}`);
  check(
    ids.length >= 2,
    `${bagsPath} has ${ids.length} bag; distribution regression needs at least 2`,
  );
  const targets = new Float64Array(ids.length * t);
  ids.forEach((id, b) => targets.set(targetOf.get(id) as number[], b * t));
  return { bags, targets, targetNames, ids, featureNames };
}

/** "1 feature value", "2 feature values". */
function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
