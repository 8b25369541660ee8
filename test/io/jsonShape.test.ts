/**
 * JSON inputs that would exhaust the stack or flood a one-line error are refused before parsing,
 * with their sizes named: deep nesting (a rules file nested 200,000 deep gave "internal error:
 * Maximum call stack size exceeded") and huge strings.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LocalistError } from "../../src/engine/errors.js";
import { MAX_JSON_DEPTH, MAX_JSON_STRING, parseJsonBytes } from "../../src/io/jsonBytes.js";
import { runCli, tempFiles } from "../helpers/cli.js";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const bytes = (text: string) => new TextEncoder().encode(text);

function refused(pattern: RegExp) {
  return (error: unknown) =>
    error instanceof LocalistError &&
    pattern.test(error.message) &&
    !error.message.includes("\n") &&
    error.message.length < 300;
}

test("nesting past the limit is refused with its depth; at the limit it parses", () => {
  const deep = 200_000;
  assert.throws(
    () =>
      parseJsonBytes(
        bytes(`{"rules": ${"[".repeat(deep)}${"]".repeat(deep)}}`),
        "rules file r.json",
      ),
    refused(
      /^rules file r\.json nests 200,001 levels of arrays and objects, more than the 256 allowed$/,
    ),
  );
  const ok = `${"[".repeat(MAX_JSON_DEPTH)}${"]".repeat(MAX_JSON_DEPTH)}`;
  assert.ok(Array.isArray(parseJsonBytes(bytes(ok), "x")));
  // Brackets inside strings, and escaped quotes, are not nesting.
  assert.deepEqual(parseJsonBytes(bytes(`{"a": "[[[[\\"{{{{"}`), "x"), { a: '[[[["{{{{' });
});

test("a huge string is refused with its length, not echoed", () => {
  const huge = "a".repeat(5_000_000);
  assert.throws(
    () => parseJsonBytes(bytes(`{"regex": "${huge}"}`), "rules file r.json"),
    refused(
      /^rules file r\.json holds a string of 5,000,000 characters at offset 10, more than the 1,048,576 allowed$/,
    ),
  );
  assert.equal(
    (parseJsonBytes(bytes(`["${"b".repeat(MAX_JSON_STRING)}"]`), "x") as string[])[0].length,
    MAX_JSON_STRING,
  );
});

test("check on a rules file nested 200,000 deep: one line, exit 1", () => {
  const deep = 200_000;
  const dir = tempFiles({ "deep.json": `{"rules": ${"[".repeat(deep)}${"]".repeat(deep)}}` });
  const model = fileURLToPath(new URL("../../../fixtures/recall-model", import.meta.url));
  const r = runCli([
    "check",
    "--model",
    model,
    "--rules",
    join(dir, "deep.json"),
    "--text",
    "k1 a",
  ]);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /^error: rules file .*deep\.json nests 200,001 levels of arrays and objects, more than the 256 allowed\n$/,
  );
});
