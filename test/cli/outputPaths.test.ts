/**
 * The output-path policy seen from the command line: an empty path is a usage error, a pipe or a
 * device is refused in one line and left as it was, and a refused run leaves no empty folder.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync } from "node:fs";
import { join } from "node:path";
import { runCli, tempFiles } from "../helpers/cli.js";

const dir = tempFiles({ "c.txt": "the cat sees the dog .\n".repeat(40) });
const pipe = join(dir, "pipe");
execFileSync("mkfifo", [pipe]);

test("an empty output path is a usage error naming the flag, and nothing is written", () => {
  const train = runCli(["train", "--out", "", "--steps", "1"], { cwd: dir });
  assert.equal(train.status, 2, train.stderr);
  assert.equal(train.stderr, "error: --out needs a value (DIR), got ''\n");
  const exported = runCli(["export", "--model", dir, "--to", "torch", ""], { cwd: dir });
  assert.equal(exported.status, 2, exported.stderr);
  assert.equal(
    exported.stderr,
    "error: 'localist export' needs OUT (the folder to write), got ''\n",
  );
  assert.equal(existsSync(join(dir, "checkpoint.json")), false);
});

test("a named pipe or a device as the output folder is refused in one line and left alone", () => {
  for (const out of [pipe, "/dev/null"]) {
    const r = runCli(["train", "--out", out, "--corpus", join(dir, "c.txt"), "--steps", "1"]);
    assert.equal(r.status, 1, r.stderr);
    assert.match(
      r.stderr,
      /^error: --out .* is a (named pipe|character device), not a folder; choose a folder\n$/,
    );
  }
  assert.ok(lstatSync(pipe).isFIFO());
  assert.ok(lstatSync("/dev/null").isCharacterDevice());
});

test("a refused run leaves no empty output folder behind", () => {
  const out = join(dir, "new", "run");
  const r = runCli(["train", "--out", out, "--corpus", join(dir, "missing.txt"), "--steps", "1"]);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(existsSync(join(dir, "new")), false);
});

test("distreg --plot onto a named pipe is refused and the pipe stays a pipe", () => {
  const r = runCli([
    "distreg",
    "--task",
    "mixture-mean",
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
    "--plot",
    pipe,
  ]);
  assert.equal(r.status, 1, r.stderr);
  assert.match(
    r.stderr,
    /^error: --plot .*pipe is a named pipe, not a regular file; choose a file name\n$/,
  );
  assert.ok(lstatSync(pipe).isFIFO());
});
