/**
 * CSV text as rows of cells, as every CSV reader here takes it (`csv-parse`): a byte-order mark
 * dropped, cells trimmed, empty lines skipped, rows of any length (each reader checks its own).
 * Quoted cells ("a,b", "" for a quote, line breaks inside quotes) and CRLF line ends are
 * handled. Throws csv-parse's error for text that is not CSV; callers word it for their file.
 * Node only (csv-parse needs Buffer): the page never imports it.
 */
import { parse } from "csv-parse/sync";

export function csvRows(text: string): string[][] {
  return parse(text, {
    bom: true,
    trim: true,
    skip_empty_lines: true,
    relax_column_count: true,
  }) as string[][];
}
