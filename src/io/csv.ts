/**
 * CSV tables for the command line: a header row, then rows of cells. Quoted cells ("a,b", with
 * "" for a quote) are supported. Errors name the file, the row (1-based, counting the header as
 * row 1) and the column.
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { check, LocalistError } from "../engine/errors.js";

export interface Table {
  path: string;
  header: string[];
  rows: string[][];
}

function splitLine(line: string): string[] {
  const cells: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      cells.push(cell.trim());
      cell = "";
    } else cell += ch;
  }
  cells.push(cell.trim());
  return cells;
}

/** Parses CSV text; every row must have as many cells as the header. */
export function parseCsv(text: string, path: string): Table {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  check(lines.length > 0, `${path} is empty; expected a header row and data rows`);
  const header = splitLine(lines[0]);
  const seen = new Set<string>();
  for (const name of header) {
    check(name !== "", `${path}: the header has an empty column name`);
    check(!seen.has(name), `${path}: the header names column '${name}' twice`);
    seen.add(name);
  }
  const rows = lines.slice(1).map((line, i) => {
    const cells = splitLine(line);
    check(
      cells.length === header.length,
      `${path} row ${i + 2} has ${cells.length} cells but the header has ${header.length}`,
    );
    return cells;
  });
  check(rows.length > 0, `${path} has a header but no data rows`);
  return { path, header, rows };
}

export function readCsv(path: string): Table {
  if (!existsSync(path)) throw new LocalistError(`${path} does not exist`);
  if (statSync(path).isDirectory())
    throw new LocalistError(`${path} is a directory, not a CSV file`);
  return parseCsv(readFileSync(path, "utf8"), path);
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
      const cell = row[at];
      const value = cell === "" ? NaN : Number(cell);
      if (!Number.isFinite(value)) {
        const why =
          cell === ""
            ? "is empty"
            : /^[-+]?(nan|inf(inity)?)$/i.test(cell)
              ? "is not finite"
              : "is not a number";
        throw new LocalistError(
          `${table.path} row ${r + 2}, column '${columns[c]}': '${cell}' ${why}; every feature cell must be a finite number`,
        );
      }
      out[r * columns.length + c] = value;
    });
  });
  return out;
}

/** Formats rows of values as CSV text with a header. */
export function formatCsv(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
): string {
  const escape = (cell: string | number) => {
    const text = typeof cell === "number" ? formatNumber(cell) : cell;
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return [header, ...rows].map((row) => row.map(escape).join(",")).join("\n") + "\n";
}

/** Shortest round-tripping decimal for a float64. */
function formatNumber(value: number): string {
  return String(value);
}
