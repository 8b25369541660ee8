/**
 * End-to-end tests of `localist distreg fit | predict | cv`: fit saves a folder that predict reads
 * (CSV bag,prediction[,sd] for new bags of other sizes), cv prints NMSE ± sd per model and its JSON
 * folds match a fit → predict by hand, the experiments still run as `distreg curves` and without a
 * subcommand, and every bad input is one line with a non-zero exit and nothing on stdout or disk.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { crossValidationFolds } from "../../src/distreg/folds.js";
import { correlationBags } from "../helpers/bags.js";
import { runCli, tempFiles } from "../helpers/cli.js";

const data = correlationBags(24, 1);
const fresh = correlationBags(6, 2, { prefix: "new", spread: 30 });
const dir = tempFiles({
  "bags.csv": data.bagsCsv,
  "targets.csv": data.targetsCsv,
  "new.csv": fresh.bagsCsv,
  "three-features.csv": "bag,a,b,c\nq1,1,2,3\nq1,2,3,4\n",
  "ids-only.csv": "bag\nb1\nb2\n",
  "target-ids-only.csv": "bag\nb1\nb2\n",
  "empty-bag.csv": "bag,x,y\nq1,1,2\nq2,,\n",
  "no-rows.csv": "bag,x,y\n",
  "three-bags.csv": "bag,x\nb1,1\nb2,2\nb3,4\n",
  "three-targets.csv": "bag,y\nb1,1\nb2,2\nb3,3\n",
});
const file = (name: string) => join(dir, name);
const TINY = ["--width", "8", "--heads", "2", "--layers", "1", "--steps", "20", "--batch", "8"];

/** Parses predict's CSV into its header and rows. */
function csv(text: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = text
    .trimEnd()
    .split("\n")
    .map((line) => line.split(","));
  return { header, rows };
}

test("fit saves a kme model; predict prints bag,prediction,sd for new bags of other sizes", () => {
  const out = file("kme-model");
  const fit = runCli([
    "distreg",
    "fit",
    "--bags",
    file("bags.csv"),
    "--targets",
    file("targets.csv"),
    "--model",
    "kme",
    "--out",
    out,
  ]);
  assert.equal(fit.status, 0, fit.stderr);
  assert.match(fit.stdout, /^fitted kme on 19 bags in [\d.]+ s \(5 held out for validation\)$/m);
  assert.match(fit.stdout, /^validation NMSE \d/m);
  assert.match(fit.stdout, /^90% intervals cover [\d.]+% of the validation targets$/m);
  assert.match(fit.stdout, /^saved to .*kme-model$/m);
  assert.deepEqual(readdirSync(out).sort(), ["config.json", "weights.safetensors"]);
  const predict = runCli(["distreg", "predict", "--model", out, "--bags", file("new.csv")]);
  assert.equal(predict.status, 0, predict.stderr);
  const { header, rows } = csv(predict.stdout);
  assert.deepEqual(header, ["bag", "prediction", "sd"]);
  assert.deepEqual(
    rows.map((r) => r[0]),
    fresh.ids,
  );
  for (const [, mean, sd] of rows) {
    assert.ok(Number.isFinite(Number(mean)) && Number(sd) > 0, `${mean}, ${sd}`);
  }
  const again = runCli(["distreg", "predict", "--model", out, "--bags", file("new.csv")]);
  assert.equal(again.stdout, predict.stdout, "the same numbers every time");
});

test("fit and predict a transformer: bag,prediction; --json gives the report", () => {
  const out = file("transformer-model");
  const fit = runCli([
    "distreg",
    "fit",
    "--bags",
    file("bags.csv"),
    "--targets",
    file("targets.csv"),
    "--model",
    "transformer",
    ...TINY,
    "--out",
    out,
    "--json",
  ]);
  assert.equal(fit.status, 0, fit.stderr);
  const report = JSON.parse(fit.stdout) as Record<string, number>;
  assert.equal(report.trainingBags, 19);
  assert.ok(report.keptStep >= 1 && report.keptStep <= 20);
  assert.ok(Number.isFinite(report.validationNmse));
  const predict = runCli(["distreg", "predict", "--model", out, "--bags", file("new.csv")]);
  assert.equal(predict.status, 0, predict.stderr);
  const { header, rows } = csv(predict.stdout);
  assert.deepEqual(header, ["bag", "prediction"]);
  assert.equal(rows.length, fresh.ids.length);
});

test("cv prints NMSE ± sd per model, and its folds are what fit → predict gives on them", () => {
  const table = runCli([
    "distreg",
    "cv",
    "--bags",
    file("bags.csv"),
    "--targets",
    file("targets.csv"),
    "--models",
    "kme,deepsets",
    ...TINY,
    "--folds",
    "3",
  ]);
  assert.equal(table.status, 0, table.stderr);
  assert.match(
    table.stdout,
    /^3-fold cross-validation on .*bags\.csv \(24 bags\): NMSE over the folds$/m,
  );
  assert.match(table.stdout, /^kme +\d\.\d+ ± \d\.\d+$/m);
  assert.match(table.stdout, /^deepsets +\d\.\d+ ± \d\.\d+$/m);
  const json = runCli([
    "distreg",
    "cv",
    "--bags",
    file("bags.csv"),
    "--targets",
    file("targets.csv"),
    "--models",
    "kme",
    "--folds",
    "3",
    "--seed",
    "5",
    "--model-seed",
    "2",
    "--json",
  ]);
  assert.equal(json.status, 0, json.stderr);
  const parsed = JSON.parse(json.stdout) as { models: { model: string; folds: number[] }[] };
  // Fold 1 by hand: fit on the other bags with the same seed, predict the fold.
  const held = crossValidationFolds(24, 3, 5)[0];
  const pick = (text: string, keep: (id: string) => boolean) =>
    text
      .split("\n")
      .filter((line, i) => i === 0 || (line !== "" && keep(line.split(",")[0])))
      .join("\n");
  const heldIds = new Set(held.map((b) => data.ids[b]));
  writeFileSync(
    file("fold-bags.csv"),
    pick(data.bagsCsv, (id) => !heldIds.has(id)),
  );
  writeFileSync(
    file("fold-targets.csv"),
    pick(data.targetsCsv, (id) => !heldIds.has(id)),
  );
  writeFileSync(
    file("fold-held.csv"),
    pick(data.bagsCsv, (id) => heldIds.has(id)),
  );
  const out = file("fold-model");
  const fit = runCli([
    "distreg",
    "fit",
    "--bags",
    file("fold-bags.csv"),
    "--targets",
    file("fold-targets.csv"),
    "--model",
    "kme",
    "--seed",
    "2",
    "--out",
    out,
  ]);
  assert.equal(fit.status, 0, fit.stderr);
  const predict = runCli(["distreg", "predict", "--model", out, "--bags", file("fold-held.csv")]);
  const predicted = csv(predict.stdout).rows;
  const truth = held.map((b) => data.targets[b]);
  const mean = truth.reduce((a, b) => a + b, 0) / truth.length;
  const squared = predicted.reduce(
    (sum, [id, p]) => sum + (Number(p) - data.targets[data.ids.indexOf(id)]) ** 2,
    0,
  );
  const spread = truth.reduce((sum, y) => sum + (y - mean) ** 2, 0);
  assert.equal(squared / spread, parsed.models[0].folds[0]);
});

test("the experiments still run as 'distreg curves' and as 'distreg' alone", () => {
  const args = [
    "--bags",
    file("bags.csv"),
    "--targets",
    file("targets.csv"),
    "--models",
    "kme",
    "--n",
    "6,8",
    "--m",
    "3,4",
    "--seeds",
    "1",
    "--test-bags",
    "6",
  ];
  const curves = runCli(["distreg", "curves", ...args]);
  assert.equal(curves.status, 0, curves.stderr);
  const old = runCli(["distreg", ...args]);
  assert.equal(old.status, 0, old.stderr);
  assert.equal(old.stdout.replace(/[\d.]+ ?s\b/g, ""), curves.stdout.replace(/[\d.]+ ?s\b/g, ""));
  assert.match(curves.stdout, /bags\.csv: test NMSE against N/);
  const help = runCli(["distreg", "--help"]);
  assert.match(help.stdout, /localist distreg fit +fit a distribution-regression model/);
});

// A model folder, and damaged copies of it.
const model = file("model");
const damaged = (name: string, damage: (folder: string) => void) => {
  const folder = file(name);
  mkdirSync(folder);
  for (const f of ["config.json", "weights.safetensors"])
    writeFileSync(join(folder, f), readFileSync(join(model, f)));
  damage(folder);
  return folder;
};
let prepared = false;
function prepareModel(): void {
  if (prepared) return;
  const r = runCli([
    "distreg",
    "fit",
    "--bags",
    file("bags.csv"),
    "--targets",
    file("targets.csv"),
    "--model",
    "kme",
    "--out",
    model,
  ]);
  assert.equal(r.status, 0, r.stderr);
  prepared = true;
}

const BAD: [string, () => string[], RegExp, number][] = [
  [
    "a bags file without feature columns",
    () => [
      "fit",
      "--bags",
      file("ids-only.csv"),
      "--targets",
      file("targets.csv"),
      "--model",
      "kme",
      "--out",
      file("x1"),
    ],
    /ids-only\.csv needs a bag id column and at least one feature column, got only 'bag'$/,
    1,
  ],
  [
    "a targets file without a target column",
    () => [
      "fit",
      "--bags",
      file("bags.csv"),
      "--targets",
      file("target-ids-only.csv"),
      "--model",
      "kme",
      "--out",
      file("x2"),
    ],
    /target-ids-only\.csv needs a bag id column and at least one target column, got only 'bag'$/,
    1,
  ],
  [
    "an empty bag in predict",
    () => (prepareModel(), ["predict", "--model", model, "--bags", file("empty-bag.csv")]),
    /empty-bag\.csv: bag 'q2' is empty \(row 3 has no feature values\); every bag needs at least one sample$/,
    1,
  ],
  [
    "a bags file with no rows",
    () => (prepareModel(), ["predict", "--model", model, "--bags", file("no-rows.csv")]),
    /no-rows\.csv has a header but no data rows$/,
    1,
  ],
  [
    "a feature count that does not match the model",
    () => (prepareModel(), ["predict", "--model", model, "--bags", file("three-features.csv")]),
    /three-features\.csv has 3 feature columns \(a, b, c\) but the model in .*model was fitted on 2 \(x, y\); give the same features in the same order$/,
    1,
  ],
  [
    "an unknown model in fit",
    () => [
      "fit",
      "--bags",
      file("bags.csv"),
      "--targets",
      file("targets.csv"),
      "--model",
      "svm",
      "--out",
      file("x3"),
    ],
    /--model must be one of transformer, local-transformer, kme, deepsets, got 'svm'$/,
    2,
  ],
  [
    "an unknown model in cv",
    () => [
      "cv",
      "--bags",
      file("bags.csv"),
      "--targets",
      file("targets.csv"),
      "--models",
      "kme,svm",
    ],
    /--models: unknown value 'svm'; expected one of transformer, local-transformer, kme, deepsets$/,
    2,
  ],
  [
    "fit without --out",
    () => ["fit", "--bags", file("bags.csv"), "--targets", file("targets.csv"), "--model", "kme"],
    /'localist distreg fit' needs --out$/,
    2,
  ],
  [
    "more folds than bags",
    () => ["cv", "--bags", file("bags.csv"), "--targets", file("targets.csv"), "--folds", "30"],
    /bags\.csv has 24 bags, fewer than the 30 folds asked for; lower --folds$/,
    1,
  ],
  [
    "a model folder that does not exist",
    () => ["predict", "--model", file("nowhere"), "--bags", file("new.csv")],
    /the model folder .*nowhere does not exist$/,
    1,
  ],
  [
    "a folder with no config.json",
    () => (
      prepareModel(),
      [
        "predict",
        "--model",
        damaged("no-config", (f) => rmSync(join(f, "config.json"))),
        "--bags",
        file("new.csv"),
      ]
    ),
    /no-config is not a usable distribution-regression model: it has no config\.json; fit it again$/,
    1,
  ],
  [
    "a config.json that is not JSON",
    () => (
      prepareModel(),
      [
        "predict",
        "--model",
        damaged("not-json", (f) => writeFileSync(join(f, "config.json"), "{model")),
        "--bags",
        file("new.csv"),
      ]
    ),
    /model config .*config\.json is not valid JSON/,
    1,
  ],
  [
    "a config.json of another kind",
    () => (
      prepareModel(),
      [
        "predict",
        "--model",
        damaged("foreign", (f) =>
          writeFileSync(join(f, "config.json"), '{"format":"localist-lm"}'),
        ),
        "--bags",
        file("new.csv"),
      ]
    ),
    /foreign is not a usable distribution-regression model: config\.json is not a distribution-regression config \(its format is not 'localist-distreg'\); fit it again$/,
    1,
  ],
  [
    "truncated weights",
    () => (
      prepareModel(),
      [
        "predict",
        "--model",
        damaged("truncated", (f) => truncateSync(join(f, "weights.safetensors"), 100)),
        "--bags",
        file("new.csv"),
      ]
    ),
    /weights\.safetensors is truncated: .*; the file is corrupt, retrain or restore it$/,
    1,
  ],
  [
    "a scaling that is not numbers",
    () => (
      prepareModel(),
      [
        "predict",
        "--model",
        damaged("bad-scaling", (f) => {
          const c = JSON.parse(readFileSync(join(f, "config.json"), "utf8")) as {
            scaling: { featureStd: unknown[] };
          };
          c.scaling.featureStd = ["a", 1];
          writeFileSync(join(f, "config.json"), JSON.stringify(c));
        }),
        "--bags",
        file("new.csv"),
      ]
    ),
    /bad-scaling is not a usable distribution-regression model: its scaling featureStd is not 2 finite positive numbers; fit it again$/,
    1,
  ],
  [
    "an out folder that is not empty",
    () => {
      mkdirSync(file("full"), { recursive: true });
      writeFileSync(join(file("full"), "keep.txt"), "x");
      return [
        "fit",
        "--bags",
        file("bags.csv"),
        "--targets",
        file("targets.csv"),
        "--model",
        "kme",
        "--out",
        file("full"),
      ];
    },
    /full already exists and is not an empty folder; choose a new folder for the model$/,
    1,
  ],
  [
    "too large a validation fraction for the bags",
    () => [
      "fit",
      "--bags",
      file("bags.csv"),
      "--targets",
      file("targets.csv"),
      "--model",
      "kme",
      "--validation",
      "0.7",
      "--out",
      file("x4"),
    ],
    /--validation must be in \[0, 0.5\], got 0.7$/,
    2,
  ],
  [
    "a validation fraction that leaves too few bags to train on",
    () => [
      "fit",
      "--bags",
      file("three-bags.csv"),
      "--targets",
      file("three-targets.csv"),
      "--model",
      "kme",
      "--validation",
      "0.5",
      "--out",
      file("x5"),
    ],
    /3 bags leave 1 to train on after 2 held out for validation; fitting needs at least 2: give more bags or lower --validation$/,
    1,
  ],
];

for (const [what, args, message, code] of BAD)
  test(`bad input, ${what}: one line, exit ${code}, nothing on stdout`, () => {
    const r = runCli(["distreg", ...args()]);
    assert.equal(r.status, code, r.stderr);
    assert.equal(r.stdout, "");
    const lines = r.stderr.trimEnd().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], /^error: /);
    assert.match(lines[0], message);
  });

test("a failed fit leaves no folder behind", () => {
  for (const name of ["x1", "x2", "x3", "x4", "x5"]) assert.ok(!existsSync(file(name)), name);
  assert.deepEqual(readdirSync(file("full")), ["keep.txt"]);
  assert.ok(
    readdirSync(dir).every((name) => !name.includes(".tmp-")),
    "no temporary folder",
  );
});
