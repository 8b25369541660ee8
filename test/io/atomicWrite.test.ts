import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { LocalistError } from "../../src/engine/errors.js";
import { writeFileAtomic } from "../../src/io/atomicWrite.js";
import { readJsonFile } from "../../src/io/json.js";
import { tempFiles } from "../helpers/cli.js";

test("writeFileAtomic writes text and bytes, replacing the old file and leaving no temporary", () => {
  const dir = tempFiles({ "a.txt": "old content" });
  const file = join(dir, "a.txt");
  writeFileAtomic(file, "new ✓");
  assert.equal(readFileSync(file, "utf8"), "new ✓");
  writeFileAtomic(file, Uint8Array.from([1, 2, 3]));
  assert.deepEqual([...readFileSync(file)], [1, 2, 3]);
  writeFileAtomic(join(dir, "b.bin"), new Uint8Array(0));
  assert.deepEqual(readdirSync(dir).sort(), ["a.txt", "b.bin"]);
});

test("writeFileAtomic fails with one line and removes its temporary file", () => {
  const dir = tempFiles({ "keep.txt": "x" });
  assert.throws(
    () => writeFileAtomic(join(dir, "missing", "x.json"), "{}"),
    (error: unknown) =>
      error instanceof LocalistError &&
      /^cannot write .*missing.x\.json: no such file or folder \(ENOENT\)$/.test(error.message) &&
      !error.message.includes("\n"),
  );
  // The target is a folder: refused before a temporary file is written next to it.
  assert.throws(
    () => writeFileAtomic(dir, "z"),
    /^LocalistError: output file .* is a folder, not a regular file/,
  );
  const leftovers = readdirSync(dirname(dir)).filter((name) =>
    name.startsWith(`${basename(dir)}.tmp-`),
  );
  assert.deepEqual(leftovers, []);
  assert.equal(readFileSync(join(dir, "keep.txt"), "utf8"), "x");
});

test("readJsonFile parses JSON and names the file in one-line errors", () => {
  const dir = tempFiles({ "ok.json": '{"a": [1, 2]}', "bad.json": '{"a": ' });
  assert.deepEqual(readJsonFile<{ a: number[] }>(join(dir, "ok.json"), "model config"), {
    a: [1, 2],
  });
  assert.throws(
    () => readJsonFile(join(dir, "bad.json"), "model config"),
    (error: unknown) =>
      error instanceof LocalistError &&
      error.message.startsWith(`model config ${join(dir, "bad.json")} is not valid JSON: `) &&
      !error.message.includes("\n"),
  );
  assert.throws(
    () => readJsonFile(join(dir, "none.json"), "tokenizer"),
    new RegExp(`^LocalistError: tokenizer ${join(dir, "none.json")} does not exist$`),
  );
  assert.throws(() => readJsonFile(dir, "tokenizer"), /is a folder, not a file/);
});
