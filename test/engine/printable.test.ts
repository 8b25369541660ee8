/** Untrusted text made safe to show: control characters, Markdown and HTML, long lists. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  escapeHtml,
  markdownCell,
  printable,
  shownList,
  terminalCell,
} from "../../src/engine/printable.js";

test("printable escapes control, line and bidirectional characters and cuts long text", () => {
  assert.equal(
    printable("a\x1b[31mb\nc\rd\te\x00f\x7f\u009b"),
    "a\\x1b[31mb\\nc\\rd\\te\\x00f\\x7f\\x9b",
  );
  assert.equal(printable("x\u2028y\u202ez"), "x\\u2028y\\u202ez");
  assert.equal(printable("plain ✓ text"), "plain ✓ text");
  const long = "a".repeat(5_000_000);
  const shown = printable(long);
  assert.ok(shown.length < 250);
  assert.match(shown, /… \(5000000 characters\)$/);
});

test("markdownCell and escapeHtml keep a cell a cell and HTML text", () => {
  assert.equal(
    escapeHtml(`<a href="x">&'</a>`),
    "&lt;a href=&quot;x&quot;&gt;&amp;&#39;&lt;/a&gt;",
  );
  assert.equal(markdownCell("a|b<i>&`c`\n"), "a\\|b&lt;i&gt;&amp;\\`c\\`\\n");
  assert.equal(terminalCell("a|b\x1b"), "a\\|b\\x1b");
});

test("shownList names ten items and counts the rest", () => {
  const ids = Array.from({ length: 100_000 }, (_, i) => `r${i}`);
  assert.equal(shownList(ids), "r0, r1, r2, r3, r4, r5, r6, r7, r8, r9 and 99,990 more");
  assert.equal(shownList(["a\nb"]), "a\\nb");
});
