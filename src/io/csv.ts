/**
 * CSV tables for the command line: a header row, then rows of cells, read by `csvRows` (csv-parse): quoted
 * cells ("a,b", with "" for a quote, and line breaks inside quotes), CRLF line ends and a
 * byte-order mark are handled; cells are trimmed; blank lines are skipped. Errors name the file, the
 * row (1-based, counting the header as row 1) and the column.
 */
import { parseDecimal } from "../engine/numbers.js";
import { csvRows } from "../engine/csvRows.js";
import { check, LocalistError } from "../engine/errors.js";
import { FILE_LIMITS, readLimitedFile } from "../engine/files.js";

export interface Table {
  path: string;
  header: string[];
  rows: string[][];
}

/**
 * Parses CSV text; every row must have as many cells as the header (`ragged` words the error for a
 * row that does not, given its 1-based row number, its cells and the header's).
 */
export function parseCsv(
  text: string,
  path: string,
  ragged?: (row: number, cells: string[], header: string[]) => string,
): Table {
  let records: string[][];
  try {
    records = csvRows(text);
  } catch (error) {
    const reason =
      (error as { code?: string }).code === "CSV_QUOTE_NOT_CLOSED"
        ? "a quoted cell is never closed"
        : (error as Error).message.split("\n")[0];
    throw new LocalistError(`${path} is not valid CSV: ${reason}`);
  }
  // A line of spaces is blank too (skip_empty_lines skips only empty ones).
  const lines = records.filter((cells) => !(cells.length === 1 && cells[0] === ""));
  check(lines.length > 0, `${path} is empty; expected a header row and data rows`);
  const header = lines[0];
  const seen = new Set<string>();
  for (const name of header) {
    check(name !== "", `${path}: the header has an empty column name`);
    check(!seen.has(name), `${path}: the header names column '${name}' twice`);
    seen.add(name);
  }
  const rows = lines.slice(1);
  rows.forEach((cells, i) =>
    check(cells.length === header.length, () =>
      ragged
        ? ragged(i + 2, cells, header)
        : `${path} row ${i + 2} has ${cells.length} cells but the header has ${header.length}`,
    ),
  );
  check(rows.length > 0, `${path} has a header but no data rows`);
  return { path, header, rows };
}

export function readCsv(
  path: string,
  ragged?: (row: number, cells: string[], header: string[]) => string,
): Table {
  const bytes = readLimitedFile(path, "CSV file", FILE_LIMITS.csv);
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    throw new LocalistError(`${path} is not UTF-8 text; save the CSV as UTF-8`);
  }
  return parseCsv(text, path, ragged);
}

/** The named columns as a row-major Float64Array; every cell must be a finite number. */
export function numericColumns(table: Table, columns: readonly string[]): Float64Array {
  const index = columns.map((name) => {
    const at = table.header.indexOf(name);
    check(at >= 0, `${table.path} has no column '${name}' (columns: ${table.header.join(", ")})`);
    return at;
  });
  const out = new Float64Array(table.rows.length * columns.length);
  table.rows.forEach((row, r) => {
    index.forEach((at, c) => {
      out[r * columns.length + c] = numericCell(table.path, r + 2, columns[c], row[at]);
    });
  });
  return out;
}

/**
 * A cell as a finite decimal number, or one line naming the file, the row (1-based, the header
 * being row 1), the column and what is wrong; `what` names the kind of cell in the advice.
 */
export function numericCell(
  path: string,
  row: number,
  column: string,
  cell: string,
  what = "feature",
): number {
  // Decimal numbers only: Number() would also read "0x10", "0b1" and " ".
  const value = parseDecimal(cell);
  if (!Number.isFinite(value)) {
    const why =
      cell === ""
        ? "is empty"
        : /^[-+]?(nan|inf(inity)?)$/i.test(cell)
          ? "is not finite"
          : "is not a number";
    throw new LocalistError(
      `${path} row ${row}, column '${column}': '${cell}' ${why}; every ${what} cell must be a finite number`,
    );
  }
  return value;
}

/** Formats rows of values as CSV text with a header. */
export function formatCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const escape = (cell: string | number) => {
    const text = typeof cell === "number" ? formatNumber(cell) : cell;
    return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(escape).join(",")).join("\n") + "\n";
}

/** Shortest round-tripping decimal for a float64. */
function formatNumber(value: number): string {
  return String(value);
}
