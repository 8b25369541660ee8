/**
 * What every command shares since the command line became a table of flag specs: stray arguments
 * and unknown flags are refused the same way by every command, a negative number is a value, JSON
 * inputs that are folders say so, and CSV files with quoted line breaks, CRLF line ends and a
 * byte-order mark are read.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempFiles } from "../helpers/cli.js";

const dir = tempFiles({
  "quoted.csv": 'x,"note, with comma",y\n0,"line one\nline two",1\n1,"""quoted""",3\n2,plain,5\n',
  "crlf.csv": "\ufeffx,y\r\n0,1\r\n1,3\r\n2,5\r\n",
  "open-quote.csv": 'x,y\n0,"1\n',
});
const file = (name: string) => join(dir, name);
const folder = join(dir, "a-folder");
mkdirSync(folder);

const COMMANDS_WITH_MODEL: string[][] = [
  ["eval", "--model", "M"],
  ["generate", "--model", "M", "--prompt", "a"],
  ["sweep", "--model", "M"],
  ["explain", "--model", "M", "--text", "a"],
];

test("every command refuses a stray argument with the same line, before doing any work", () => {
  const cases: [string[], string][] = [
    [["train", "--out", "X", "stray"], "localist train"],
    [["demo", "stray"], "localist demo"],
    [["expressivity", "stray"], "localist expressivity"],
    [["local", "mean", "--train", "t.csv", "stray"], "localist local mean"],
    ...COMMANDS_WITH_MODEL.map((args): [string[], string] => [
      [...args, "stray"],
      `localist ${args[0]}`,
    ]),
  ];
  for (const [args, command] of cases) {
    const r = runCli(args);
    assert.equal(r.status, 2, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stderr, `error: unexpected argument 'stray' for '${command}'\n`);
    assert.equal(r.stdout, "");
  }
});

test("every command refuses an unknown flag with the same line", () => {
  for (const args of [["train"], ["demo"], ["expressivity"], ...COMMANDS_WITH_MODEL]) {
    const r = runCli([...args, "--colour", "red"]);
    const command = `localist ${args[0]}`;
    assert.equal(r.status, 2, r.stderr);
    assert.equal(
      r.stderr,
      `error: unknown flag --colour for '${command}'; run '${command} --help'\n`,
    );
  }
});

test("a flag without its value, or a value for a switch, is one line", () => {
  const missing = runCli(["sweep", "--model"]);
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr, "error: --model needs a value (DIR)\n");
  const swallowed = runCli(["eval", "--model", "--json"]);
  assert.equal(swallowed.status, 2);
  assert.equal(swallowed.stderr, "error: --model needs a value (DIR)\n");
  const valued = runCli(["eval", "--model", "M", "--json=yes"]);
  assert.equal(valued.status, 2);
  assert.equal(valued.stderr, "error: --json takes no value\n");
});

test("a negative number is a flag's value, checked against the flag's constraint", () => {
  for (const [args, line] of [
    [
      ["generate", "--model", "M", "--prompt", "a", "--tokens", "-3"],
      "--tokens must be ≥ 0, got -3",
    ],
    [["generate", "--model", "M", "--prompt", "a", "--top-k=-1"], "--top-k must be ≥ 0, got -1"],
    [["train", "--out", "X", "--lr", "-0.5"], "--lr must be > 0, got -0.5"],
    [["demo", "--steps", "-2"], "--steps must be ≥ 1, got -2"],
  ] as const) {
    const r = runCli([...args]);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stderr, `error: ${line}\n`);
  }
});

test("output paths that cannot be folders fail at once, with one line", () => {
  const file = join(dir, "quoted.csv");
  for (const [out, pattern] of [
    [file, /^error: --out .*quoted\.csv is a regular file, not a folder; choose a folder$/],
    [
      join(file, "inside"),
      /^error: cannot create output folder .*inside: .*quoted\.csv is a file, not a folder$/,
    ],
    [
      "/proc/localist-no/run",
      /^error: cannot create output folder \/proc\/localist-no\/run: no such file or folder \(ENOENT\)$/,
    ],
  ] as const) {
    const r = runCli(["train", "--out", out, "--steps", "1"], { timeoutMs: 20_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr.trim(), pattern);
  }
});

test("--routing and --blocks on a folder say it is a folder", () => {
  const corpus = tempFiles({ "c.txt": "the cat sees the dog .\n".repeat(40) });
  const base = ["train", "--corpus", join(corpus, "c.txt"), "--steps", "1", "--context", "8"];
  const routing = runCli([...base, "--out", join(corpus, "r"), "--localist", "--routing", folder]);
  assert.equal(routing.status, 1, routing.stderr);
  assert.match(routing.stderr, /^error: routing file .*a-folder is a folder, not a file\n$/);
  const blocks = runCli([...base, "--out", join(corpus, "b"), "--localist", "--blocks", folder]);
  assert.equal(blocks.status, 1, blocks.stderr);
  assert.match(blocks.stderr, /^error: block map .*a-folder is a folder, not a file\n$/);
});

test("CSV: quoted commas and line breaks, doubled quotes, CRLF and a byte-order mark", () => {
  const quoted = runCli([
    "local",
    "knn-regress",
    "--train",
    file("quoted.csv"),
    "--target",
    "y",
    "--features",
    "x",
    "--k",
    "1",
  ]);
  assert.equal(quoted.status, 0, quoted.stderr);
  assert.equal(quoted.stdout, "y\n1\n3\n5\n");
  const crlf = runCli([
    "local",
    "knn-regress",
    "--train",
    file("crlf.csv"),
    "--target",
    "y",
    "--k",
    "1",
  ]);
  assert.equal(crlf.status, 0, crlf.stderr);
  assert.equal(crlf.stdout, "y\n1\n3\n5\n");
  const open = runCli(["local", "mean", "--train", file("open-quote.csv"), "--target", "y"]);
  assert.equal(open.status, 1);
  assert.match(
    open.stderr,
    /^error: .*open-quote\.csv is not valid CSV: a quoted cell is never closed\n$/,
  );
});
