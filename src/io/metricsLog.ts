/**
 * A metrics log in JSON Lines: one JSON object per line. Each line goes to the file with one
 * write(2) as soon as it is written, so a run that is killed keeps every line written before.
 */
import { closeSync, existsSync, openSync, readFileSync, truncateSync, writeSync } from "node:fs";
import { LocalistError, oneLine } from "../engine/errors.js";
import { writeFileAtomic } from "./atomicWrite.js";
import { checkOutputFile } from "./outputPath.js";

/** One record of the log: a flat or nested JSON object, e.g. `{ step: 100, loss: 4.2 }`. */
export type MetricsRecord = Record<string, unknown>;

/** Truncates the file after its last newline (a no-op when it ends with one or is empty). */
function dropPartialLastLine(path: string): void {
  const bytes = readFileSync(path);
  if (bytes.length === 0 || bytes[bytes.length - 1] === 0x0a) return;
  truncateSync(path, bytes.lastIndexOf(0x0a) + 1);
}

/** An open metrics log: `MetricsLog.open(path, { append })`, then `write(record)`, `close()`. */
export class MetricsLog {
  private fd: number | undefined;

  private constructor(
    readonly path: string,
    fd: number,
  ) {
    this.fd = fd;
  }

  /**
   * Opens `path` for writing: truncated for a new run, or, resuming a run from its checkpoint at
   * step `resumeFrom`, kept up to that step and appended to. The records written after the
   * checkpoint by the run that was interrupted are dropped (the resumed run writes them again), and
   * so is a last line cut short by a kill, so the log never holds a step twice.
   */
  static open(path: string, options: { resumeFrom?: number } = {}): MetricsLog {
    const { resumeFrom } = options;
    checkOutputFile(path, "metrics log"); // a named pipe there would block the open forever
    try {
      if (resumeFrom !== undefined && existsSync(path)) {
        dropPartialLastLine(path);
        const kept = readMetricsLog(path).filter(
          (record) => typeof record.step === "number" && record.step <= resumeFrom,
        );
        writeFileAtomic(path, kept.map((record) => `${JSON.stringify(record)}\n`).join(""));
      }
      return new MetricsLog(path, openSync(path, resumeFrom === undefined ? "w" : "a"));
    } catch (error) {
      if (error instanceof LocalistError) throw error;
      throw new LocalistError(`cannot open metrics log ${path}: ${oneLine(error)}`);
    }
  }

  /** Appends the record as one JSON line (non-finite numbers become null, as in JSON.stringify). */
  write(record: MetricsRecord): void {
    if (this.fd === undefined)
      throw new LocalistError(`metrics log ${this.path} is closed; cannot write to it`);
    const bytes = new TextEncoder().encode(`${JSON.stringify(record)}\n`);
    try {
      let written = 0;
      while (written < bytes.byteLength)
        written += writeSync(this.fd, bytes, written, bytes.byteLength - written);
    } catch (error) {
      throw new LocalistError(`cannot write metrics log ${this.path}: ${oneLine(error)}`);
    }
  }

  /** Closes the file; closing twice is harmless. */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * The records of a metrics log. A last line cut short (a run killed mid-write) is skipped; any
 * other malformed line is a one-line LocalistError naming the line number.
 */
export function readMetricsLog(path: string): MetricsRecord[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new LocalistError(`cannot read metrics log ${path}: ${oneLine(error)}`);
  }
  const lines = text.split("\n");
  const records: MetricsRecord[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === "") return;
    const last = index === lines.length - 1; // no newline after it: possibly cut short
    try {
      const value = JSON.parse(line) as unknown;
      if (typeof value !== "object" || value === null || Array.isArray(value))
        throw new Error("not a JSON object");
      records.push(value as MetricsRecord);
    } catch (error) {
      if (last) return;
      throw new LocalistError(
        `metrics log ${path} line ${index + 1} is not a JSON object: ${oneLine(error)}`,
      );
    }
  });
  return records;
}
