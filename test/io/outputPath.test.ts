/**
 * The output-path policy (src/io/outputPath.ts): every kind of path a writer can be handed, as the
 * root user runs these tests too (root may write anywhere, so refusing must not rely on permissions).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { LocalistError } from "../../src/engine/errors.js";
import { createFolder, writeFileAtomic } from "../../src/io/atomicWrite.js";
import { acquireLock } from "../../src/io/lock.js";
import { MetricsLog } from "../../src/io/metricsLog.js";
import { checkOutputFile, checkOutputFolder, removeEmptyFolders } from "../../src/io/outputPath.js";
import { tempFiles } from "../helpers/cli.js";

const dir = tempFiles({ "plain.txt": "old" });
const at = (name: string) => join(dir, name);
mkdirSync(at("folder"));
execFileSync("mkfifo", [at("pipe")]);
symlinkSync(at("plain.txt"), at("link-to-file"));
symlinkSync(at("folder"), at("link-to-folder"));
symlinkSync(at("nowhere"), at("dangling"));

/** One line, a LocalistError, matching `pattern`. */
function refused(pattern: RegExp) {
  return (error: unknown) =>
    error instanceof LocalistError && pattern.test(error.message) && !error.message.includes("\n");
}

test("an empty path is refused for files and folders, not taken as the current folder", () => {
  assert.throws(
    () => writeFileAtomic("", "x", "plot file"),
    refused(/^the plot file path is empty/),
  );
  assert.throws(
    () => createFolder("", "output folder"),
    refused(/^the output folder path is empty/),
  );
  assert.deepEqual(
    readdirSync(".").filter((name) => name.includes(".tmp-")),
    [],
  );
});

test("a named pipe is refused by name and kind, and stays a pipe", () => {
  assert.throws(
    () => writeFileAtomic(at("pipe"), "x", "plot file"),
    refused(/^plot file .*pipe is a named pipe, not a regular file; choose a file name$/),
  );
  assert.throws(
    () => createFolder(at("pipe"), "output folder"),
    refused(/^output folder .*pipe is a named pipe, not a folder; choose a folder$/),
  );
  // Opening a pipe for writing would block forever: the metrics log refuses it first.
  assert.throws(() => MetricsLog.open(at("pipe")), refused(/^metrics log .*pipe is a named pipe/));
  assert.ok(lstatSync(at("pipe")).isFIFO());
});

test("a device is refused and left alone (/dev/null, /dev/full)", () => {
  for (const device of ["/dev/null", "/dev/full"]) {
    assert.throws(
      () => writeFileAtomic(device, "x", "plot file"),
      refused(/is a character device, not a regular file/),
    );
    assert.throws(() => createFolder(device, "run folder"), refused(/is a character device/));
    assert.ok(lstatSync(device).isCharacterDevice());
  }
});

test("a socket is refused", async () => {
  const path = at("sock");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(path, resolve));
  try {
    assert.throws(() => checkOutputFile(path, "plot file"), refused(/is a socket/));
    assert.throws(() => checkOutputFolder(path, "run folder"), refused(/is a socket/));
  } finally {
    server.close();
  }
});

test("a symbolic link is refused as a file (never replaced) and followed as a folder", () => {
  assert.throws(
    () => writeFileAtomic(at("link-to-file"), "new", "rules file"),
    refused(/^rules file .*link-to-file is a symbolic link; .*give the target's path instead$/),
  );
  assert.ok(lstatSync(at("link-to-file")).isSymbolicLink());
  assert.equal(readFileSync(at("plain.txt"), "utf8"), "old");
  // A folder reached through a link is written inside, the link stays.
  assert.deepEqual(createFolder(at("link-to-folder"), "output folder"), []);
  writeFileAtomic(join(at("link-to-folder"), "inside.txt"), "ok");
  assert.equal(readFileSync(join(at("folder"), "inside.txt"), "utf8"), "ok");
  assert.ok(lstatSync(at("link-to-folder")).isSymbolicLink());
  assert.throws(
    () => createFolder(at("dangling"), "output folder"),
    refused(/dangling is a symbolic link to nothing, not a folder/),
  );
  assert.throws(
    () => createFolder(at("link-to-file"), "output folder"),
    refused(/link-to-file is a symbolic link to a regular file, not a folder/),
  );
});

test("a regular file is replaced and a folder is not taken for a file", () => {
  writeFileAtomic(at("plain.txt"), "new");
  assert.equal(readFileSync(at("plain.txt"), "utf8"), "new");
  assert.throws(
    () => writeFileAtomic(at("folder"), "x", "plot file"),
    refused(/^plot file .*folder is a folder, not a regular file/),
  );
  assert.throws(
    () => createFolder(at("plain.txt"), "output folder"),
    refused(/plain\.txt is a regular file, not a folder/),
  );
  assert.ok(statSync(at("folder")).isDirectory());
});

test("createFolder returns what it made, and removeEmptyFolders takes back only empty ones", () => {
  const made = createFolder(join(dir, "a", "b", "c"), "output folder");
  assert.deepEqual(made, [at("a"), join(dir, "a", "b"), join(dir, "a", "b", "c")]);
  removeEmptyFolders(made);
  assert.equal(existsSync(at("a")), false);
  const again = createFolder(join(dir, "k", "l"), "output folder");
  writeFileSync(join(dir, "k", "keep.txt"), "x");
  removeEmptyFolders(again);
  assert.equal(existsSync(join(dir, "k", "l")), false);
  assert.equal(readFileSync(join(dir, "k", "keep.txt"), "utf8"), "x");
});

test("a folder named .lock is named as such, not a raw EISDIR", () => {
  const run = at("run-with-lock-folder");
  mkdirSync(join(run, ".lock"), { recursive: true });
  assert.throws(
    () => acquireLock(run),
    refused(
      /^cannot lock .*run-with-lock-folder: lock file .*\.lock is a folder, not a regular file; remove it$/,
    ),
  );
});

test("control characters in a refused path are shown escaped", () => {
  assert.throws(
    () => writeFileAtomic(join(dir, "missing\x1b[2J\n", "x.svg"), "x", "plot file"),
    (error: unknown) =>
      error instanceof Error &&
      // eslint-disable-next-line no-control-regex
      !/[\x00-\x1f]/.test(error.message) &&
      /\\x1b\[2J\\n/.test(error.message),
  );
});

test("a path under a regular file is one line (ENOTDIR), not a raw error from the clean-up", () => {
  assert.throws(
    () => writeFileAtomic(join(at("plain.txt"), "inside"), "x", "plot file"),
    refused(
      /^cannot write .*plain\.txt\/inside: a part of the path is a file, not a folder \(ENOTDIR\)$/,
    ),
  );
});
