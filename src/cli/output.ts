/**
 * Failures of the program's own output (stdout): a closed pipe ends the program quietly, as Unix
 * tools do; a full disk or a bad descriptor is one line and exit 1, never a raw stack trace.
 *
 * A stdout closed by the shell (`>&-`) cannot be told apart here: Node reopens a closed descriptor
 * 0–2 on /dev/null (read-write) before any JavaScript runs, exactly as a parent that discards the
 * output does (libuv's ignored stdio, Python's subprocess.DEVNULL), so the output is discarded.
 */
import { oneLine } from "../engine/errors.js";

/** An error raised while writing the command's output (wraps the system error as `cause`). */
export class OutputError extends Error {
  constructor(readonly original: unknown) {
    super(`cannot write the output: ${oneLine(original)}`);
  }
}

let reported = false;

/**
 * Reports a failed write to stdout once, on stderr, and returns the exit code: 0 for a closed pipe
 * (EPIPE: the reader has what it wanted), 1 for anything else (ENOSPC, EBADF, EIO, …).
 */
export function reportOutputError(error: unknown): number {
  const original = error instanceof OutputError ? error.original : error;
  if ((original as NodeJS.ErrnoException | undefined)?.code === "EPIPE") return 0;
  if (!reported) {
    reported = true;
    try {
      process.stderr.write(`error: cannot write the output: ${oneLine(original)}\n`);
    } catch {
      // stderr is gone too: the exit code is all that is left
    }
  }
  return 1;
}
