/**
 * An input problem reported to the user as one line: what is wrong, and how to fix it.
 * The CLI prints `error: <message>` and exits non-zero for these; anything else is a bug.
 */
export class LocalistError extends Error {
  /** "LocalistError", for every input problem (`error.name`), its subclasses included. */
  override readonly name = "LocalistError";
}

/** Throws a LocalistError unless `condition` holds. */
export function check(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new LocalistError(typeof message === "string" ? message : message());
}

/** A positive finite number, else an error naming the parameter and the value received. */
export function checkPositive(name: string, value: number): number {
  check(
    Number.isFinite(value) && value > 0,
    `${name} must be a positive number, got ${String(value)}`,
  );
  return value;
}

/** An integer in [min, max], else an error naming the parameter, the range and the value. */
export function checkInteger(name: string, value: number, min: number, max = Infinity): number {
  check(
    Number.isInteger(value) && value >= min && value <= max,
    () =>
      `${name} must be an integer in [${min}, ${max === Infinity ? "∞" : max}], got ${String(value)}`,
  );
  return value;
}

const SYSTEM_ERRORS: Record<string, string> = {
  ENOENT: "no such file or folder",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOSPC: "no space left on the device",
  EDQUOT: "disk quota exceeded",
  EISDIR: "it is a folder",
  ENOTDIR: "a part of the path is a file, not a folder",
  EEXIST: "it already exists",
  EROFS: "the file system is read-only",
  EMFILE: "too many open files",
  ENAMETOOLONG: "the name is too long",
  EIO: "input/output error",
  EBADF: "bad file descriptor",
};

/**
 * The message of an error on one line, for wrapping it into a LocalistError: an operating-system
 * error in words with its code (`permission denied (EACCES)`), anything else its message.
 */
export function oneLine(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code !== undefined && SYSTEM_ERRORS[code] !== undefined)
    return `${SYSTEM_ERRORS[code]} (${code})`;
  return (error instanceof Error ? error.message : String(error)).replace(/\s+/g, " ").trim();
}
