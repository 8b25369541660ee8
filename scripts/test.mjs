#!/usr/bin/env node
/**
 * `npm test`: every check the suite runs, in order, stopping at the first that fails, then what
 * each part cost. The parts: the build (tsc and vite), lint, the format check, the import ladder,
 * the API docs, and the test files under dist/test/ (the spec reporter on the terminal, and
 * ./fileDurations.mjs summing each file's tests). The closing table gives each part's wall time,
 * the tests' time per folder, and the slowest files, so a slow addition shows where it landed.
 *
 *   node scripts/test.mjs [--only PART] [FILE.test.js …]
 *
 * --only runs the parts whose name starts with PART (e.g. tests: the build must be current), and
 * files given run instead of every file under dist/test/.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";

const chosenFiles = process.argv.slice(2).filter((arg) => arg.endsWith(".test.js"));

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

/** [name, command, arguments] of each part, in the order they run (the test files: once built). */
const parts = (durationsFile) => [
  ["build (tsc, vite)", "npm", () => ["run", "build"]],
  ["lint (eslint)", "npm", () => ["run", "lint"]],
  ["format check (prettier)", "npm", () => ["run", "format:check"]],
  ["import ladder (dependency-cruiser)", "npm", () => ["run", "check:imports"]],
  ["API docs (typedoc)", "npm", () => ["run", "docs:check"]],
  [
    "tests",
    process.execPath,
    () => [
      "--test",
      ...["--test-reporter=spec", "--test-reporter-destination=stdout"],
      ...[`--test-reporter=${reporter}`, `--test-reporter-destination=${durationsFile}`],
      ...testFiles(),
    ],
  ],
];

const reporter = pathToFileURL(join(import.meta.dirname, "fileDurations.mjs")).href;

/** Each test file's duration in seconds (the sum of its tests), from ./fileDurations.mjs. */
function fileDurations(path) {
  const byFile = JSON.parse(readFileSync(path, "utf8"));
  return new Map(
    Object.entries(byFile).map(([file, ms]) => [relative("dist/test", file), ms / 1000]),
  );
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
  const out = [
    "",
    "What each part cost (wall time; node --test runs one test file per core beyond the first at a time):",
  ];
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
const durationsFile = join(folder, "durations.json");
const times = [];
let status = 0;
try {
  for (const [name, command, args] of parts(durationsFile)) {
    if (only !== undefined && !name.startsWith(only)) continue;
    const began = performance.now();
    const run = spawnSync(command, args(), { stdio: "inherit" });
    times.push([name, (performance.now() - began) / 1000]);
    status = run.status ?? 1;
    if (status !== 0) {
      console.error(`npm test: ${name} failed (exit ${status})`);
      break;
    }
  }
  let durations = new Map();
  try {
    durations = fileDurations(durationsFile);
  } catch {
    // the tests did not run: only the parts' times
  }
  report(times, durations);
} finally {
  rmSync(folder, { recursive: true, force: true });
}
process.exitCode = status;
