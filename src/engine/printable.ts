/**
 * Untrusted text made safe to show: rule ids, tokens, file names and regexes come from files and
 * command lines, and printed raw they could move the terminal's cursor (escape sequences), split a
 * one-line error (newlines), break a Markdown table (`|`) or inject HTML (`<`, `&`).
 */

/** Longest run of untrusted text shown in a message; the rest is cut with its length named. */
export const MAX_SHOWN = 200;

/**
 * `text` with control characters (C0, DEL, C1, and the Unicode line and bidirectional controls)
 * written as escapes (`\n`, `\x1b`, `\u202e`), and cut to `max` characters with the full length
 * named, so it prints on one line and cannot drive the terminal.
 */
export function printable(text: string, max = MAX_SHOWN): string {
  const escaped = text.replace(
    // eslint-disable-next-line no-control-regex
    /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (c) => {
      if (c === "\n") return "\\n";
      if (c === "\r") return "\\r";
      if (c === "\t") return "\\t";
      const code = c.charCodeAt(0);
      return code < 0x100
        ? `\\x${code.toString(16).padStart(2, "0")}`
        : `\\u${code.toString(16).padStart(4, "0")}`;
    },
  );
  if (escaped.length <= max) return escaped;
  return `${escaped.slice(0, max)}… (${text.length} characters)`;
}

/** `text` for HTML or XML content and attribute values: `&`, `<`, `>`, `"` and `'` as entities. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/**
 * `text` for one cell of a Markdown table: control characters escaped (a newline would end the
 * row), HTML escaped (Markdown renders raw HTML), and `|` and backticks escaped so they neither
 * split the cell nor open code.
 */
export function markdownCell(text: string): string {
  return escapeHtml(printable(text, Infinity)).replace(/\|/g, "\\|").replace(/`/g, "\\`");
}

/**
 * Items of an untrusted list for one line: each printable, the first `max` joined by ", ", and the
 * rest counted (`a, b, c and 99,997 more`), so a list of 100,000 ids stays a line a person reads.
 */
export function shownList(items: readonly string[], max = 10): string {
  const shown = items.slice(0, max).map((item) => printable(item, 60));
  const rest = items.length - shown.length;
  return rest > 0
    ? `${shown.join(", ")} and ${rest.toLocaleString("en-US")} more`
    : shown.join(", ");
}

/**
 * `text` for the terminal's tables: printable, with `|` escaped so an id cannot add a column.
 */
export function terminalCell(text: string): string {
  return printable(text).replace(/\|/g, "\\|");
}
