/** End-to-end tests of `localist local …`: outputs, and one-line errors with no output. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { formatCsv, readCsv } from "../../src/io/csv.js";
import { LOCAL_DEFAULTS, runLocalMethod } from "../../src/cli/local/methods.js";
import { runCli, tempFiles } from "../helpers/cli.js";

const train = [
  "x1,x2,y,label",
  "0,0,1,a",
  "1,0,2,a",
  "0,1,3,b",
  "1,1,4,b",
  "2,1,5,b",
  "1,2,6,a",
  "5,5,7,c",
  "5,6,8,c",
].join("\n");
const query = ["x2,x1", "0.5,0.5", "5.5,5"].join("\n");
const dir = tempFiles({
  "train.csv": train,
  "query.csv": query,
  "nan.csv": "x1,y\n1,2\nNaN,3\n",
  "text.csv": "x1,y\n1,2\nabc,3\n",
  "ragged.csv": "x1,x2,y\n1,2,3\n4,5\n",
  "empty.csv": "",
});
const file = (name: string) => join(dir, name);
const numbers = (stdout: string) => stdout.trim().split("\n").slice(1).map(Number);

test("local mean predicts one value per query row, matching columns by name", () => {
  const r = runCli([
    "local",
    "mean",
    "--train",
    file("train.csv"),
    "--query",
    file("query.csv"),
    "--target",
    "y",
    "--features",
    "x1,x2",
    "--bandwidth",
    "0.01",
  ]);
  assert.equal(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  assert.equal(lines[0], "y");
  // A tiny bandwidth: the nearest training row's value ((0.5, 0.5) is equidistant from four).
  const [first, second] = numbers(r.stdout);
  assert.ok(Math.abs(first - 2.5) < 1e-9, String(first));
  assert.ok(Math.abs(second - 7.5) < 1e-9, String(second));
});

test("every method runs and prints CSV", () => {
  const base = ["--train", file("train.csv")];
  const cases: [string[], string, number][] = [
    [
      [
        "local",
        "poly",
        ...base,
        "--target",
        "y",
        "--features",
        "x1,x2",
        "--degree",
        "1",
        "--bandwidth",
        "2",
      ],
      "y",
      8,
    ],
    [
      ["local", "mean", ...base, "--target", "y", "--features", "x1,x2", "--bandwidth", "cv"],
      "y",
      8,
    ],
    [
      [
        "local",
        "mean",
        ...base,
        "--target",
        "y",
        "--features",
        "x1,x2",
        "--bandwidth",
        "silverman",
        "--kernel",
        "laplacian",
      ],
      "y",
      8,
    ],
    [
      [
        "local",
        "knn-regress",
        ...base,
        "--target",
        "y",
        "--features",
        "x1,x2",
        "--k",
        "3",
        "--weights",
        "distance",
      ],
      "y",
      8,
    ],
    [
      ["local", "knn-classify", ...base, "--target", "label", "--features", "x1,x2", "--k", "3"],
      "label",
      8,
    ],
    [
      ["local", "mode", ...base, "--target", "label", "--features", "x1,x2", "--bandwidth", "1"],
      "label",
      8,
    ],
    [
      [
        "local",
        "meanshift",
        ...base,
        "--target",
        "label",
        "--features",
        "x1,x2",
        "--bandwidth",
        "2.5",
      ],
      "label",
      8,
    ],
    [
      [
        "local",
        "lle",
        ...base,
        "--target",
        "label",
        "--features",
        "x1,x2",
        "--k",
        "3",
        "--components",
        "2",
      ],
      "component1,component2",
      8,
    ],
  ];
  for (const [args, header, rows] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 0, `${args.join(" ")}: ${r.stderr}`);
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines[0], header, args.join(" "));
    assert.equal(lines.length, rows + 1, args.join(" "));
  }
  const knn = runCli([
    "local",
    "knn-classify",
    ...base,
    "--target",
    "label",
    "--features",
    "x1,x2",
    "--k",
    "1",
  ]);
  assert.deepEqual(knn.stdout.trim().split("\n").slice(1), [
    "a",
    "a",
    "b",
    "b",
    "b",
    "a",
    "c",
    "c",
  ]);
  const clusters = runCli([
    "local",
    "meanshift",
    "--train",
    file("train.csv"),
    "--target",
    "label",
    "--features",
    "x1,x2",
    "--bandwidth",
    "2.5",
  ]);
  const labels = clusters.stdout.trim().split("\n").slice(1);
  assert.equal(new Set(labels.slice(0, 6)).size, 1);
  assert.notEqual(labels[0], labels[6]);
});

test("a method run with no options uses LOCAL_DEFAULTS, the defaults its --help shows", async () => {
  const cases: [method: string, target: string, flag: string, option: string][] = [
    ["poly", "y", "degree", "degree"],
    ["knn-regress", "y", "k", "k"],
    ["gp", "y", "amplitude", "amplitude"],
    ["lle", "label", "components", "components"],
    ["meanshift", "label", "bandwidth", "meanShiftBandwidth"],
  ];
  const features = ["x1", "x2"];
  for (const [method, target, flag, option] of cases) {
    const r = runCli([
      ...["local", method, "--train", file("train.csv")],
      ...["--target", target, "--features", features.join(",")],
    ]);
    assert.equal(r.status, 0, r.stderr);
    const table = readCsv(file("train.csv"));
    const result = await runLocalMethod(method, table, undefined, { target, features });
    assert.equal(r.stdout.trim(), formatCsv(result.header, result.rows).trim(), method);
    const shown = String(LOCAL_DEFAULTS[option as keyof typeof LOCAL_DEFAULTS]);
    const help = runCli(["local", method, "--help"]).stdout;
    const line = help.split("\n").find((l) => l.trimStart().startsWith(`--${flag} `));
    assert.ok(line?.includes(`default ${shown}`), `${method} --${flag}: ${line}`);
  }
});

test("--help works on every level", () => {
  for (const args of [
    ["--help"],
    ["local", "--help"],
    ["local", "poly", "--help"],
    ["local", "meanshift", "--help"],
  ]) {
    const r = runCli(args);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^usage: localist/);
  }
});

/** Each bad input: exit code, the exact one-line message, and nothing on stdout. */
const failures: [string, string[], number, string][] = [
  [
    "unknown command",
    ["fly"],
    2,
    "error: unknown command 'fly'; expected one of local, prepare, train, eval, generate, expressivity, distreg, sweep, explain, check, profile-heads, anchors, demo, lab, export, import (see 'localist --help')",
  ],
  [
    "unknown method",
    ["local", "loess"],
    2,
    "error: unknown method 'loess'; expected one of mean, poly, mode, logistic, knn-regress, knn-classify, meanshift, lle, kde, ridge, gp, tsk, hopfield, denoise",
  ],
  [
    "unknown flag",
    ["local", "mean", "--train", "t.csv", "--bandwith", "1"],
    2,
    "error: unknown flag --bandwith for 'localist local mean'; run 'localist local mean --help'",
  ],
  [
    "unknown kernel",
    ["local", "mean", "--train", "t.csv", "--kernel", "boxcar"],
    2,
    "error: --kernel must be one of gaussian, epanechnikov, tricube, uniform, laplacian, cosine, triangular, got 'boxcar'",
  ],
  [
    "bandwidth ≤ 0",
    [
      "local",
      "mean",
      "--train",
      "TRAIN",
      "--target",
      "y",
      "--features",
      "x1,x2",
      "--bandwidth",
      "0",
    ],
    2,
    "error: --bandwidth must be > 0, got 0",
  ],
  [
    "bad bandwidth",
    [
      "local",
      "mean",
      "--train",
      "TRAIN",
      "--target",
      "y",
      "--features",
      "x1,x2",
      "--bandwidth",
      "wide",
    ],
    2,
    "error: --bandwidth must be a number, a comma-separated list, scott, silverman or cv; got 'wide'",
  ],
  [
    "k not an integer",
    [
      "local",
      "knn-regress",
      "--train",
      "TRAIN",
      "--target",
      "y",
      "--features",
      "x1,x2",
      "--k",
      "2.5",
    ],
    2,
    "error: --k must be an integer, got '2.5'",
  ],
  [
    "k larger than the data",
    [
      "local",
      "knn-regress",
      "--train",
      "TRAIN",
      "--target",
      "y",
      "--features",
      "x1,x2",
      "--k",
      "9",
    ],
    1,
    "error: k = 9 is larger than the 8 training rows; choose k ≤ 8",
  ],
  [
    "all but the target are features",
    ["local", "mean", "--train", "TRAIN", "--target", "y"],
    1,
    "error: TRAIN row 2, column 'label': 'a' is not a number; every feature cell must be a finite number",
  ],
  [
    "missing target",
    ["local", "mean", "--train", "TRAIN"],
    2,
    "error: 'localist local mean' needs --target COLUMN",
  ],
  [
    "unknown target",
    ["local", "mean", "--train", "TRAIN", "--target", "z"],
    1,
    "error: TRAIN has no column 'z' (columns: x1, x2, y, label)",
  ],
  [
    "NaN cell",
    ["local", "mean", "--train", "NAN", "--target", "y"],
    1,
    "error: NAN row 3, column 'x1': 'NaN' is not finite; every feature cell must be a finite number",
  ],
  [
    "non-numeric cell",
    ["local", "mean", "--train", "TEXT", "--target", "y"],
    1,
    "error: TEXT row 3, column 'x1': 'abc' is not a number; every feature cell must be a finite number",
  ],
  [
    "ragged rows",
    ["local", "mean", "--train", "RAGGED", "--target", "y"],
    1,
    "error: RAGGED row 3 has 2 cells but the header has 3",
  ],
  [
    "empty file",
    ["local", "mean", "--train", "EMPTY", "--target", "y"],
    1,
    "error: EMPTY is empty; expected a header row and data rows",
  ],
  [
    "missing file",
    ["local", "mean", "--train", "MISSING", "--target", "y"],
    1,
    "error: CSV file MISSING does not exist",
  ],
  [
    "query lacks a feature",
    ["local", "mean", "--train", "TRAIN", "--query", "NAN", "--target", "y", "--features", "x1,x2"],
    1,
    "error: NAN has no column 'x2' (columns: x1, y)",
  ],
  [
    "no support",
    [
      "local",
      "mean",
      "--train",
      "TRAIN",
      "--query",
      "QUERY",
      "--target",
      "y",
      "--features",
      "x1,x2",
      "--kernel",
      "uniform",
      "--bandwidth",
      "0.1",
    ],
    1,
    "error: query row 1 has no training point with positive weight under uniform(h=0.1); increase the bandwidth or use a kernel with unbounded support (gaussian, laplacian)",
  ],
];

for (const [name, rawArgs, status, message] of failures) {
  test(`bad input: ${name}`, () => {
    const paths: Record<string, string> = {
      TRAIN: file("train.csv"),
      QUERY: file("query.csv"),
      NAN: file("nan.csv"),
      TEXT: file("text.csv"),
      RAGGED: file("ragged.csv"),
      EMPTY: file("empty.csv"),
      MISSING: file("missing.csv"),
    };
    const args = rawArgs.map((a) => paths[a] ?? a);
    const r = runCli(args);
    const expected = Object.entries(paths).reduce(
      (text, [key, path]) => text.replaceAll(key, path),
      message,
    );
    assert.equal(r.status, status, r.stderr);
    assert.equal(r.stderr.trim(), expected);
    assert.equal(r.stdout, "");
  });
}
