/**
 * One writer per run folder: `RUN/.lock` holds the writer's process id and host, created with an
 * exclusive open, so a second training into the same folder is refused with one line instead of
 * mixing two runs' checkpoints and metrics. A lock whose process is gone (killed: a kill leaves
 * the file behind) is stale and is taken over.
 */
import { readFileSync, rmSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { LocalistError, oneLine } from "../engine/errors.js";
import { printable } from "../engine/printable.js";
import { writeFileDurable } from "./atomicWrite.js";
import { checkOutputFile } from "./outputPath.js";

export const LOCK_FILE = ".lock";

export interface Lock {
  release(): void;
}

interface Owner {
  pid: number;
  host: string;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function readOwner(file: string): Owner | undefined {
  try {
    const owner = JSON.parse(readFileSync(file, "utf8")) as Partial<Owner>;
    return typeof owner.pid === "number" && typeof owner.host === "string"
      ? (owner as Owner)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock of `dir` (which must exist), or throws one line naming the process that has it. */
export function acquireLock(dir: string): Lock {
  const file = join(dir, LOCK_FILE);
  const me: Owner = { pid: process.pid, host: hostname() };
  // A folder (or pipe, device, link) named .lock is no lock of ours: say so, not EISDIR.
  try {
    checkOutputFile(file, "lock file");
  } catch (error) {
    throw new LocalistError(
      `cannot lock ${printable(dir)}: ${(error as Error).message.replace(/; [^;]*$/, "")}; remove it`,
    );
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileDurable(file, JSON.stringify(me) + "\n");
      const release = () => {
        const owner = readOwner(file);
        if (owner?.pid === me.pid && owner.host === me.host) rmSync(file, { force: true });
        process.removeListener("exit", release);
      };
      process.on("exit", release);
      return { release };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST")
        throw new LocalistError(`cannot lock ${dir}: ${oneLine(error)}`);
    }
    const owner = readOwner(file);
    // A lock whose writer died (same host, process gone) or that was never completed is stale.
    if (owner === undefined || (owner.host === me.host && !isAlive(owner.pid))) {
      rmSync(file, { force: true });
      continue;
    }
    throw new LocalistError(
      `${dir} is being written by another localist process (pid ${owner.pid} on ${owner.host}); wait for it to finish, or remove ${file} if that process is gone`,
    );
  }
  throw new LocalistError(`cannot lock ${dir}: its lock file keeps reappearing`);
}
