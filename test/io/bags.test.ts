/**
 * Reading the user's bags: the aerosol MISR1 layout (800 bags × 100 instances × 16 features, one
 * target per bag; synthetic numbers, since the data cannot ship), bags of different sizes in any
 * row order, and the bag id columns.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { readBagFiles } from "../../src/io/bags.js";
import { bagSamples } from "../../src/data/distributions/bags.js";
import { tempFiles } from "../helpers/cli.js";

const dir = tempFiles({});

test("the MISR1 layout: 800 bags × 100 instances × 16 features and 800 targets", () => {
  const features = Array.from({ length: 16 }, (_, j) => `band${j + 1}`);
  const rows = [`bag,${features.join(",")}`];
  const targets = ["bag,aod"];
  for (let b = 0; b < 800; b++) {
    for (let s = 0; s < 100; s++)
      rows.push(`${b + 1},${features.map((_, j) => ((b * 31 + s * 7 + j) % 97) / 10).join(",")}`);
    targets.push(`${b + 1},${(b % 50) / 100}`);
  }
  writeFileSync(join(dir, "misr1.csv"), rows.join("\n"));
  writeFileSync(join(dir, "misr1-aod.csv"), targets.join("\n"));
  const began = performance.now();
  const set = readBagFiles(join(dir, "misr1.csv"), join(dir, "misr1-aod.csv"));
  const seconds = (performance.now() - began) / 1000;
  assert.equal(set.bags.count, 800);
  assert.equal(set.bags.capacity, 100);
  assert.equal(set.bags.dim, 16);
  assert.deepEqual(set.targetNames, ["aod"]);
  assert.ok(set.bags.sizes.every((size) => size === 100));
  assert.equal(set.bags.samples[(799 * 100 + 99) * 16 + 15], ((799 * 31 + 99 * 7 + 15) % 97) / 10);
  assert.equal(set.targets[799], 49 / 100);
  assert.ok(seconds < 20, `reading took ${seconds} s`);
});

test("bags of different sizes, rows in any order, ids kept in order of first appearance", () => {
  writeFileSync(join(dir, "mixed.csv"), "id,x\nb,1\na,2\nb,3\nc,4\nb,5\n");
  writeFileSync(join(dir, "mixed-y.csv"), "id,y\nc,30\na,10\nb,20\n");
  const set = readBagFiles(join(dir, "mixed.csv"), join(dir, "mixed-y.csv"));
  assert.deepEqual(set.ids, ["b", "a", "c"]);
  assert.deepEqual(Array.from(set.bags.sizes), [3, 1, 1]);
  assert.deepEqual(Array.from(bagSamples(set.bags, 0)), [1, 3, 5]);
  assert.deepEqual(Array.from(set.targets), [20, 10, 30]);
});
