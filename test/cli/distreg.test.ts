/**
 * End-to-end tests of `localist distreg`: a tiny run of every experiment (tables, JSON, Markdown,
 * the SVG plot), the user's bags, and one clear line with a non-zero exit for each kind of bad
 * input: bags of unequal dimension, an empty bag, a target missing for a bag or given for an
 * unknown bag, N or m below 2, a non-numeric cell, contradictory flags.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempFiles } from "../helpers/cli.js";

function bagsCsv(count: number): { bags: string; targets: string } {
  const rows = ["bag,x1,x2"];
  const targets = ["bag,y"];
  for (let b = 0; b < count; b++) {
    const scale = 0.5 + (b % 7) * 0.25;
    for (let s = 0; s < 3 + (b % 4); s++)
      rows.push(
        `b${b},${(scale * Math.sin(b + 3 * s)).toFixed(4)},${(scale * Math.cos(b * s)).toFixed(4)}`,
      );
    targets.push(`b${b},${Math.log(scale).toFixed(5)}`);
  }
  return { bags: rows.join("\n"), targets: targets.join("\n") };
}

const good = bagsCsv(20);
const dir = tempFiles({
  "bags.csv": good.bags,
  "targets.csv": good.targets,
  "ragged.csv": "bag,x1,x2\nb1,1,2\nb1,3\nb2,1,1\n",
  "empty.csv": "bag,x1\nb1,1\nb2,\nb3,2\n",
  "nonnumeric.csv": "bag,x1\nb1,1\nb2,2\nb3,abc\n",
  "three.csv": "bag,x1\nb1,1\nb2,2\nb3,4\n",
  "two-targets.csv": "bag,y\nb1,1\nb2,2\n",
  "unknown.csv": "bag,y\nb1,1\nb2,2\nb9,3\nb3,1\n",
  "twice.csv": "bag,y\nb1,1\nb2,2\nb3,1\nb2,5\n",
  "bad-target.csv": "bag,y\nb1,1\nb2,x\nb3,1\n",
  "three-targets.csv": "bag,y\nb1,1\nb2,2\nb3,3\n",
});
const file = (name: string) => join(dir, name);
const TINY = [
  "--n",
  "6,8",
  "--m",
  "3,4",
  "--seeds",
  "1",
  "--steps",
  "2",
  "--batch",
  "4",
  "--test-bags",
  "6",
  "--width",
  "8",
  "--heads",
  "2",
];

test("curves on a task: a table per axis with slopes, JSON, Markdown and an SVG plot", () => {
  const plot = file("curves.svg");
  const r = runCli(["distreg", "--task", "rotated-entropy", ...TINY, "--plot", plot]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /rotated-entropy: test NMSE against N \(m = 4\)/);
  assert.match(r.stdout, /slope in N/);
  assert.match(r.stdout, /slope in m/);
  assert.match(r.stdout, /transformer +local-transformer +kme +deepsets/);
  assert.match(readFileSync(plot, "utf8"), /^<svg[^>]*>[\s\S]*polyline[\s\S]*<\/svg>\n$/);
  const json = runCli(["distreg", "--task", "mixture-mean", ...TINY, "--models", "kme", "--json"]);
  assert.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as {
    experiment: string;
    runs: unknown[];
    slopes: unknown[];
  };
  assert.equal(parsed.experiment, "curves");
  assert.equal(parsed.runs.length, 3); // N = 6, 8 at m = 4, and m = 3 at N = 8
  const md = runCli([
    "distreg",
    "--task",
    "mixture-mean",
    ...TINY,
    "--models",
    "deepsets",
    "--markdown",
  ]);
  assert.equal(md.status, 0, md.stderr);
  assert.match(md.stdout, /^\| N \| deepsets \|$/m);
});

test("complexity, peft and scaling run on tiny settings", () => {
  const complexity = runCli([
    "distreg",
    "--task",
    "mixture-mean,clustering",
    "--experiment",
    "complexity",
    ...TINY,
  ]);
  assert.equal(complexity.status, 0, complexity.stderr);
  assert.match(complexity.stdout, /^clustering +\S+/m);
  const peft = runCli([
    "distreg",
    "--experiment",
    "peft",
    "--pretrain-bags",
    "8",
    "--adapt",
    "4",
    "--prompts",
    "2",
    "--rank",
    "2",
    ...TINY,
    "--plot",
    file("peft.svg"),
  ]);
  assert.equal(peft.status, 0, peft.stderr);
  assert.match(peft.stdout, /trainable parameters/);
  assert.ok(existsSync(file("peft.svg")));
  const scaling = runCli([
    "distreg",
    "--task",
    "gaussian-logdet",
    "--dim",
    "2",
    "--experiment",
    "scaling",
    "--widths",
    "4,8",
    "--depths",
    "0,1",
    ...TINY,
  ]);
  assert.equal(scaling.status, 0, scaling.stderr);
  assert.match(scaling.stdout, /depth \\ width/);
});

test("the user's bags: curves on held-out bags of different sizes", () => {
  const r = runCli([
    "distreg",
    "--bags",
    file("bags.csv"),
    "--targets",
    file("targets.csv"),
    ...TINY,
    "--models",
    "kme,transformer",
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /bags\.csv: test NMSE against N/);
});

const BAD: [string, string[], RegExp, number][] = [
  [
    "bags of unequal dimension",
    ["--bags", file("ragged.csv"), "--targets", file("three-targets.csv")],
    /ragged\.csv row 3 \(bag 'b1'\) has 1 feature value but the header names 2; every bag must have the same dimension$/,
    1,
  ],
  [
    "an empty bag",
    ["--bags", file("empty.csv"), "--targets", file("three-targets.csv")],
    /empty\.csv: bag 'b2' is empty \(row 3 has no feature values\); every bag needs at least one sample$/,
    1,
  ],
  [
    "a missing target",
    ["--bags", file("three.csv"), "--targets", file("two-targets.csv")],
    /bag 'b3' of .*three\.csv has no target in .*two-targets\.csv$/,
    1,
  ],
  [
    "a target for an unknown bag",
    ["--bags", file("three.csv"), "--targets", file("unknown.csv")],
    /unknown\.csv row 4 names bag 'b9', which has no samples in .*three\.csv$/,
    1,
  ],
  [
    "a target given twice",
    ["--bags", file("three.csv"), "--targets", file("twice.csv")],
    /twice\.csv row 5 gives bag 'b2' a second target$/,
    1,
  ],
  [
    "a non-numeric sample",
    ["--bags", file("nonnumeric.csv"), "--targets", file("three-targets.csv")],
    /nonnumeric\.csv row 4, column 'x1': 'abc' is not a number; every feature cell must be a finite number$/,
    1,
  ],
  [
    "a non-numeric target",
    ["--bags", file("three.csv"), "--targets", file("bad-target.csv")],
    /bad-target\.csv row 3, column 'y': 'x' is not a number; every target cell must be a finite number$/,
    1,
  ],
  [
    "N below 2",
    ["--task", "mixture-mean", "--n", "1,8"],
    /--n takes training bags N as integers in \[2, 100000\], comma-separated; got '1'$/,
    2,
  ],
  [
    "m below 2",
    ["--task", "mixture-mean", "--m", "1"],
    /--m takes samples per bag m as integers in \[2, 4096\], comma-separated; got '1'$/,
    2,
  ],
  ["no task", [], /'localist distreg' needs --task NAME or --bags FILE$/, 2],
  [
    "an unknown task",
    ["--task", "entropy"],
    /--task: unknown value 'entropy'; expected one of mixture-mean, /,
    2,
  ],
  [
    "bags without targets",
    ["--bags", file("three.csv")],
    /--bags needs --targets \(one per bag\)$/,
    2,
  ],
  [
    "a task and bags",
    ["--task", "mixture-mean", "--bags", file("three.csv"), "--targets", file("three-targets.csv")],
    /choose one of --task and --bags$/,
    2,
  ],
  [
    "an unknown model",
    ["--task", "mixture-mean", "--models", "svm"],
    /--models: unknown value 'svm'/,
    2,
  ],
  [
    "heads that do not divide the width",
    ["--task", "mixture-mean", "--width", "6", "--heads", "4"],
    /the width 6 must be a multiple of the number of heads 4$/,
    2,
  ],
  [
    "more bags than the file has",
    ["--bags", file("bags.csv"), "--targets", file("targets.csv"), "--n", "40", "--test-bags", "4"],
    /bags\.csv has 20 bags: 4 held out leave 16 to train on, fewer than N = 40; lower --n or --test-bags$/,
    1,
  ],
  [
    "sample counts past the largest bag, more than one",
    ["--bags", file("bags.csv"), "--targets", file("targets.csv"), "--n", "6", "--m", "8,16,32"],
    /the largest bag of .*bags\.csv has 6 samples, so --m = 8, 16, 32 would all take every sample and repeat one run; give --m values below 6, and at most one at or above it$/,
    1,
  ],
  [
    "huge sizes",
    ["--task", "mixture-mean", "--n", "100000", "--m", "4096"],
    /N·m·d = 100000·4096·1 samples is more than the 16777216 a run holds; lower --n or --m$/,
    2,
  ],
];

for (const [what, args, message, code] of BAD)
  test(`bad input, ${what}: one line, exit ${code}, nothing on stdout`, () => {
    const r = runCli(["distreg", ...args, "--seeds", "1", "--steps", "1"]);
    assert.equal(r.status, code, r.stderr);
    assert.equal(r.stdout, "");
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^error: /);
    assert.match(lines[0], message);
  });
