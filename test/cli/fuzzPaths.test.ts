/**
 * Property-based fuzzing (fast-check) of what the flag fuzz (./fuzz.test.ts) cannot reach cheaply:
 * random output paths of every file kind, random regexes from a pathological grammar, and random
 * ids with control characters. Whatever is drawn: a write lands only on a missing or regular file
 * and every other entry keeps its kind; a pattern compiles or is refused in one line, and matching
 * stays linear (well under a second on long words); untrusted text prints on one line with no
 * control character, and stays one Markdown cell. LOCALIST_FUZZ_RUNS sets the number of runs.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, type Stats } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import fc from "fast-check";
import { LocalistError } from "../../src/engine/errors.js";
import { markdownCell, printable } from "../../src/engine/printable.js";
import { createFolder, writeFileAtomic } from "../../src/io/atomicWrite.js";
import { compileRuleRegex } from "../../src/localist/ruleRegex.js";
import { tempFiles } from "../helpers/cli.js";

const runs = Number(process.env.LOCALIST_FUZZ_RUNS ?? 100);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

/** One line, a LocalistError, no control character. */
function oneCleanLine(error: unknown): boolean {
  return (
    error instanceof LocalistError && !error.message.includes("\n") && !CONTROL.test(error.message)
  );
}

const dir = tempFiles({ "regular.txt": "old" });
const at = (name: string) => join(dir, name);
mkdirSync(at("folder"));
execFileSync("mkfifo", [at("fifo")]);
symlinkSync(at("regular.txt"), at("link-file"));
symlinkSync(at("folder"), at("link-folder"));
symlinkSync(at("nowhere"), at("dangling"));
const server = createServer();
await new Promise<void>((resolve) => server.listen(at("socket"), resolve));
server.unref();

/** The kind of every entry that must not change, before any write. */
const FIXED = ["fifo", "link-file", "link-folder", "dangling", "socket", "folder"].map((name) =>
  at(name),
);
const kind = (stats: Stats) =>
  stats.isSymbolicLink()
    ? "link"
    : stats.isFIFO()
      ? "fifo"
      : stats.isSocket()
        ? "socket"
        : stats.isDirectory()
          ? "folder"
          : stats.isFile()
            ? "file"
            : "other";
const kinds = () => FIXED.map((path) => kind(lstatSync(path)));
const before = kinds();

const targets = fc.oneof(
  fc.constantFrom(
    "",
    at("regular.txt"),
    at("folder"),
    at("fifo"),
    at("socket"),
    at("link-file"),
    at("link-folder"),
    at("dangling"),
    at("regular.txt/inside"),
    "/dev/null",
    "/dev/full",
    "/proc/self/status",
  ),
  fc.string({ maxLength: 12 }).map((name) => at(`new-${name.replace(/\//g, "_")}`)),
  fc.string({ maxLength: 6 }).map((name) => join(at("folder"), `x${name.replace(/\//g, "_")}`)),
);

test("random output paths: writes land only on missing or regular files; nothing else changes", () => {
  fc.assert(
    fc.property(targets, fc.boolean(), fc.string({ maxLength: 20 }), (path, asFolder, data) => {
      let existed: Stats | undefined;
      try {
        existed = lstatSync(path);
      } catch {
        existed = undefined;
      }
      try {
        if (asFolder) createFolder(path, "output folder");
        else writeFileAtomic(path, data, "output file");
      } catch (error) {
        assert.ok(oneCleanLine(error), String(error));
        return;
      }
      if (asFolder) {
        assert.ok(lstatSync(path).isDirectory() || lstatSync(path).isSymbolicLink());
      } else {
        assert.ok(existed === undefined || existed.isFile(), `wrote over ${path}`);
        assert.equal(readFileSync(path, "utf8"), data);
      }
    }),
    { numRuns: runs },
  );
  assert.deepEqual(kinds(), before);
  assert.equal(readdirSync(dir).filter((name) => name.includes(".tmp-")).length, 0);
});

/** A regex grammar rich in nested quantifiers and alternations, with some RE2 does not have. */
const pathological: fc.Arbitrary<string> = fc.letrec((tie) => ({
  re: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom("a", "b", ".", "\\w", "[ab]", "\\1", "(?=a)", "(?<!b)", "(", "x{2000}"),
    fc
      .tuple(tie("re"), fc.constantFrom("*", "+", "?", "{1,3}", "*?"))
      .map(([r, q]) => `(${r})${q}`),
    fc.tuple(tie("re"), tie("re")).map(([x, y]) => `${x}|${y}`),
    fc.tuple(tie("re"), tie("re")).map(([x, y]) => `${x}${y}`),
  ),
})).re as fc.Arbitrary<string>;

const WORDS = ["a".repeat(3000) + "!", "ab".repeat(1500), "b".repeat(2000) + "a", "the"];

test("random pathological patterns compile or are refused in one line, and match in linear time", () => {
  fc.assert(
    fc.property(
      fc.tuple(fc.constantFrom("^", ""), pathological, fc.constantFrom("$", "")),
      ([open, body, close]) => {
        const source = `${open}${body}${close}`;
        let regex;
        try {
          regex = compileRuleRegex(source, "rule 'fuzz'");
        } catch (error) {
          assert.ok(oneCleanLine(error), String(error));
          return;
        }
        const start = performance.now();
        for (const word of WORDS) regex.test(word);
        const ms = performance.now() - start;
        assert.ok(ms < 1000, `/${source}/ took ${ms.toFixed(0)} ms`);
      },
    ),
    { numRuns: runs },
  );
});

const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom(
      "\n",
      "\r",
      "\t",
      "\x1b",
      "\x00",
      "\x7f",
      "\u009b",
      "\u2028",
      "\u202e",
      "|",
      "<",
      "&",
      "`",
      ">",
    ),
    fc.string({ maxLength: 1 }),
  ),
  maxLength: 40,
});

test("random ids with control characters print on one line and stay one Markdown cell", () => {
  fc.assert(
    fc.property(hostile, (id) => {
      const shown = printable(id);
      assert.ok(!CONTROL.test(shown), JSON.stringify(shown));
      const cell = markdownCell(id);
      assert.ok(!CONTROL.test(cell), JSON.stringify(cell));
      assert.ok(!/(^|[^\\])\|/.test(cell) && !/[<>`]/.test(cell.replace(/\\`/g, "")), cell);
      try {
        compileRuleRegex(`(${id}`, `rule '${printable(id)}'`);
      } catch (error) {
        assert.ok(oneCleanLine(error), String(error));
      }
    }),
    { numRuns: runs },
  );
});
