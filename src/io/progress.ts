/**
 * Progress reporting for long work (training, evaluation). On a terminal one line is redrawn in
 * place; in a log (not a TTY) plain lines are written at most every `intervalMs`, plus a final one.
 */

/** Where progress goes: process.stderr or anything with `write` (and `isTTY` for a terminal). */
export interface ProgressStream {
  /** True for a terminal: progress is then one line redrawn in place. */
  isTTY?: boolean;
  /** The terminal's width, to fit the line. */
  columns?: number;
  /** Writes text as is. */
  write(text: string): unknown;
}

export interface ProgressOptions {
  /** The amount of work when done (steps, tokens, batches…). */
  total: number;
  /** What is being done, first on each line, e.g. `train`. */
  label: string;
  /** Default process.stderr. */
  stream?: ProgressStream | NodeJS.WriteStream;
  /** Least time between plain lines when the stream is not a TTY; default 10 000 ms. */
  intervalMs?: number;
  /** Say nothing for this long (default 0): work that ends sooner shows no progress at all. */
  quietMs?: number;
  /** Clock in milliseconds, for tests; default performance.now. */
  now?: () => number;
}

/** Values shown after the counts, e.g. `{ loss: 5.123, "tok/s": 1234 }`. */
export type ProgressFields = Record<string, string | number>;

export interface Progress {
  /**
   * Reports that `done` of `total` is done, with the current values of some fields; `total`
   * replaces the one given at the start when the work turns out larger (steps × rows).
   */
  update(done: number, fields?: ProgressFields, total?: number): void;
  /** Writes the final line (with an optional summary) and ends it with a newline. */
  finish(summary?: string): void;
}

const BAR_WIDTH = 20;
/** Least time between redraws on a terminal, so tight loops do not flood it. */
const TTY_REDRAW_MS = 100;
const CLEAR_LINE = "\r\x1b[2K";

/**
 * A number in at most about 4 significant digits: integers below 10 000 as they are, larger
 * magnitudes as 12.3k, 4.56M, 7.89G; fractions to 4 significant digits (5.123, 0.01234), tiny or
 * huge values in exponent form (1.2e-5).
 */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const magnitude = Math.abs(value);
  if (magnitude >= 1e4) {
    for (const [limit, suffix] of [
      [1e12, "T"],
      [1e9, "G"],
      [1e6, "M"],
      [1e3, "k"],
    ] as const)
      if (magnitude >= limit) {
        if (magnitude >= limit * 1000) return value.toExponential(2);
        return `${trimZeros((value / limit).toPrecision(3))}${suffix}`;
      }
  }
  if (Number.isInteger(value)) return String(value);
  if (magnitude < 1e-3) return value.toExponential(1);
  return trimZeros(value.toPrecision(4));
}

/** "5.100" → "5.1", "12.0" → "12", "1.20e-5" stays. */
function trimZeros(text: string): string {
  if (text.includes("e") || !text.includes(".")) return text;
  return text.replace(/\.?0+$/, "");
}

/** A duration as `42s`, `3:07` (m:ss) or `1:02:03` (h:mm:ss). */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return "?";
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds}s`;
  const s = String(seconds % 60).padStart(2, "0");
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}:${s}`;
  return `${Math.floor(minutes / 60)}:${String(minutes % 60).padStart(2, "0")}:${s}`;
}

function formatFields(fields: ProgressFields): string {
  return Object.entries(fields)
    .map(([name, value]) => `${name} ${typeof value === "number" ? formatNumber(value) : value}`)
    .join("  ");
}

/** A progress reporter; see the module comment for TTY and plain-line behaviour. */
export function createProgress(options: ProgressOptions): Progress {
  const { label, intervalMs = 10_000, quietMs = 0 } = options;
  let { total } = options;
  const stream: ProgressStream = options.stream ?? process.stderr;
  const now = options.now ?? (() => performance.now());
  const tty = stream.isTTY === true;
  const start = now();
  let done = 0;
  let fields: ProgressFields = {};
  let lastWrite = -Infinity;
  let finished = false;

  const line = (final: boolean): string => {
    const elapsed = now() - start;
    const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 1;
    const parts = [label];
    if (tty) {
      const filled = Math.round(fraction * BAR_WIDTH);
      parts.push(`[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`);
    }
    parts.push(`${formatNumber(done)}/${formatNumber(total)}`, `${Math.floor(fraction * 100)}%`);
    const shown = formatFields(fields);
    if (shown) parts.push(shown);
    parts.push(`elapsed ${formatDuration(elapsed)}`);
    if (!final) {
      const eta = done > 0 ? (elapsed * Math.max(0, total - done)) / done : NaN;
      parts.push(`eta ${formatDuration(eta)}`);
    }
    let text = parts.join("  ");
    if (tty && stream.columns && text.length > stream.columns - 1)
      text = text.slice(0, Math.max(0, stream.columns - 1));
    return text;
  };

  return {
    update(value: number, newFields: ProgressFields = {}, newTotal?: number) {
      if (finished) return;
      done = value;
      if (newTotal !== undefined) total = newTotal;
      fields = { ...fields, ...newFields };
      const time = now();
      if (time - start < quietMs) return;
      if (time - lastWrite < (tty ? TTY_REDRAW_MS : intervalMs)) return;
      lastWrite = time;
      stream.write(tty ? `${CLEAR_LINE}${line(false)}` : `${line(false)}\n`);
    },
    finish(summary?: string) {
      if (finished) return;
      finished = true;
      if (lastWrite === -Infinity && now() - start < quietMs) return; // quick: nothing to say
      const text = summary ? `${line(true)}  ${summary}` : line(true);
      stream.write(tty ? `${CLEAR_LINE}${text}\n` : `${text}\n`);
    },
  };
}
