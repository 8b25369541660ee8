#!/usr/bin/env node
/**
 * `npm test`: every check the suite runs, in order, stopping at the first that fails, then what
 * each part cost. The parts: the build (tsc and vite), lint, the format check, the import ladder,
 * the API docs, and the test files under dist/test/ (the spec reporter on the terminal, and
 * ./fileDurations.mjs summing each file's tests). The closing table gives each part's wall time,
 * the tests' time per folder, and the slowest files, so a slow addition shows where it landed.
 *
 * The test files run in two parts. Those that measure the process's resident memory (MEASURES_MEMORY)
 * run first, one at a time, so that nothing else running moves what they measure (a neighbour's
 * load delays V8's tier-up into their measured window). The others run as many at a time as the
 * machine has cores (Node's default is one fewer): most of them wait on child processes, and two at
 * a time on two cores takes about two thirds of the time of one at a time.
 *
 *   node scripts/test.mjs [--only PART] [FILE.test.js …]
 *
 * --only runs the parts whose name starts with PART (e.g. tests: the build must be current), and
 * files given run instead of every file under dist/test/.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join, normalize, relative } from "node:path";
import { pathToFileURL } from "node:url";

const chosenFiles = process.argv
  .slice(2)
  .filter((arg) => arg.endsWith(".test.js"))
  .map((arg) => normalize(arg));

const testFiles = () =>
  chosenFiles.length > 0
    ? chosenFiles
    : readdirSync("dist/test", { withFileTypes: true })
        .filter((entry) => entry.isDirectory())
        .flatMap((folder) =>
          readdirSync(join("dist/test", folder.name))
            // a compiled test whose source is gone (dist/ is never cleaned) does not run
            .filter((name) => name.endsWith(".test.js"))
            .filter((name) => existsSync(join("test", folder.name, name.replace(/\.js$/, ".ts"))))
            .map((name) => join("dist/test", folder.name, name)),
        )
        .sort();

/** The test files that measure resident memory: they run alone (see the file comment). */
const MEASURES_MEMORY = [
  "dist/test/train/memory.test.js",
  "dist/test/classical/memory.test.js",
  "dist/test/classical/chunks.test.js",
  "dist/test/lab/analysis.test.js",
];

/**
 * The node --test arguments for `files`, `concurrency` at a time, durations into `durationsFile`;
 * null for no files (node --test given none would look for test files itself).
 */
const testRun = (files, concurrency, durationsFile) =>
  files.length === 0
    ? null
    : [
        "--test",
        `--test-concurrency=${concurrency}`,
        ...["--test-reporter=spec", "--test-reporter-destination=stdout"],
        ...[`--test-reporter=${reporter}`, `--test-reporter-destination=${durationsFile}`],
        ...files,
      ];

/** [name, command, arguments] of each part, in the order they run (the test files: once built). */
const parts = (durationsFiles) => [
  ["build (tsc, vite)", "npm", () => ["run", "build"]],
  ["lint (eslint)", "npm", () => ["run", "lint"]],
  ["format check (prettier)", "npm", () => ["run", "format:check"]],
  ["import ladder (dependency-cruiser)", "npm", () => ["run", "check:imports"]],
  ["API docs (typedoc)", "npm", () => ["run", "docs:check"]],
  [
    "tests measuring memory (one at a time)",
    process.execPath,
    () =>
      testRun(
        testFiles().filter((f) => MEASURES_MEMORY.includes(f)),
        1,
        durationsFiles[0],
      ),
  ],
  [
    `tests (${availableParallelism()} at a time)`,
    process.execPath,
    () =>
      testRun(
        testFiles().filter((f) => !MEASURES_MEMORY.includes(f)),
        availableParallelism(),
        durationsFiles[1],
      ),
  ],
];

const reporter = pathToFileURL(join(import.meta.dirname, "fileDurations.mjs")).href;

/** Each test file's duration in seconds (the sum of its tests), from ./fileDurations.mjs. */
function fileDurations(paths) {
  const durations = new Map();
  for (const path of paths) {
    if (!existsSync(path)) continue; // that part did not run
    for (const [file, ms] of Object.entries(JSON.parse(readFileSync(path, "utf8"))))
      durations.set(relative("dist/test", file), ms / 1000);
  }
  return durations;
}

const seconds = (s) => `${s.toFixed(s < 10 ? 1 : 0)} s`;

function report(times, durations) {
  const rows = [["part", "wall time"], ...times.map(([name, s]) => [name, seconds(s)])];
  const total = times.reduce((sum, [, s]) => sum + s, 0);
  rows.push(["all", seconds(total)]);
  const byFolder = new Map();
  for (const [file, s] of durations) {
    const folder = file.split("/")[0];
    const [count, sum] = byFolder.get(folder) ?? [0, 0];
    byFolder.set(folder, [count + 1, sum + s]);
  }
  const out = ["", "What each part cost (wall time):"];
  const width = Math.max(...rows.map(([name]) => name.length));
  for (const [name, value] of rows) out.push(`  ${name.padEnd(width)}  ${value.padStart(7)}`);
  if (durations.size > 0) {
    out.push("", "Test files by folder (files, sum of their durations):");
    const folders = [...byFolder].sort((a, b) => b[1][1] - a[1][1]);
    for (const [folder, [count, s]] of folders) {
      out.push(
        `  test/${folder.padEnd(12)} ${String(count).padStart(3)}  ${seconds(s).padStart(7)}`,
      );
    }
    out.push("", "Slowest files:");
    const slowest = [...durations].sort((a, b) => b[1] - a[1]).slice(0, 8);
    for (const [file, s] of slowest) out.push(`  ${seconds(s).padStart(7)}  test/${file}`);
  }
  console.log(out.join("\n"));
}

const only = process.argv.includes("--only")
  ? process.argv[process.argv.indexOf("--only") + 1]
  : undefined;
const folder = mkdtempSync(join(tmpdir(), "localist-test-"));
const durationsFiles = [join(folder, "alone.json"), join(folder, "together.json")];
const times = [];
let status = 0;
try {
  for (const [name, command, args] of parts(durationsFiles)) {
    if (only !== undefined && !name.startsWith(only)) continue;
    const argv = args();
    if (argv === null) continue; // a tests part with none of the files chosen
    const began = performance.now();
    const run = spawnSync(command, argv, { stdio: "inherit" });
    times.push([name, (performance.now() - began) / 1000]);
    status = run.status ?? 1;
    if (status !== 0) {
      console.error(`npm test: ${name} failed (exit ${status})`);
      break;
    }
  }
  report(times, fileDurations(durationsFiles));
} finally {
  rmSync(folder, { recursive: true, force: true });
}
process.exitCode = status;
