/**
 * The program's own output failing: a full disk (/dev/full) and a descriptor not open for writing
 * are one line and exit 1 (not a raw stack trace), and a closed pipe still ends quietly.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { tempFiles } from "../helpers/cli.js";

const launcher = fileURLToPath(new URL("../../../bin/localist.js", import.meta.url));
const dir = tempFiles({ "a.csv": "x,y\n1,2\n2,3\n3,5\n" });
const knn = ["local", "knn-regress", "--train", join(dir, "a.csv"), "--target", "y", "--k", "1"];

/** Runs the command with stdout on the descriptor `fd`; returns the status and stderr. */
function withStdout(
  args: string[],
  fd: number | "pipe",
): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, [launcher, ...args], {
    stdio: ["ignore", fd, "pipe"],
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr };
}

test("stdout on a full disk is one line and exit 1, for help and for a command's output", () => {
  const full = openSync("/dev/full", "w");
  try {
    for (const args of [["--help"], knn]) {
      const r = withStdout(args, full);
      assert.equal(r.status, 1, r.stderr);
      assert.equal(
        r.stderr,
        "error: cannot write the output: no space left on the device (ENOSPC)\n",
      );
    }
  } finally {
    closeSync(full);
  }
});

test("stdout open only for reading is one line and exit 1", () => {
  const readOnly = openSync(join(dir, "a.csv"), "r");
  try {
    const r = withStdout(knn, readOnly);
    assert.equal(r.status, 1, r.stderr);
    assert.equal(r.stderr, "error: cannot write the output: bad file descriptor (EBADF)\n");
  } finally {
    closeSync(readOnly);
  }
});

test("a reader that leaves early ends the program quietly (exit 0)", () => {
  const script = `set -o pipefail; "${process.execPath}" "${launcher}" ${knn.join(" ")} | head -c 1 >/dev/null`;
  const r = spawnSync("bash", ["-c", script], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, "");
});
