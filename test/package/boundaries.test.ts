/**
 * Two boundaries of the code that a grep can hold: the command line's flags stay in src/cli (the
 * library names fields, src/cli/fieldFlags.ts turns them into flags), and attention hooks are
 * assembled in one module (src/lm/hooks.ts), which everything else reaches through LocalistModel.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** Every .ts file under the folder, as paths relative to the repository root. */
function sources(folder: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith(".ts")) out.push(relative(root, path));
    }
  };
  walk(join(root, folder));
  return out;
}

test("no --flag text in src/ outside src/cli/", () => {
  // A flag is two dashes and a lowercase word not glued to a word before it (x-- or a--b is code).
  const flag = /(?<![\w-])--[a-z][a-z0-9-]*/g;
  const found: string[] = [];
  for (const file of sources("src").filter((f) => !f.startsWith("src/cli/"))) {
    const lines = readFileSync(join(root, file), "utf8").split("\n");
    lines.forEach((line, i) => {
      for (const match of line.matchAll(flag)) found.push(`${file}:${i + 1}: ${match[0]}`);
    });
  }
  assert.deepEqual(found, [], "name the field in backquotes instead (src/cli/fieldFlags.ts)");
});

test("attention hooks are assembled in src/lm/hooks.ts only", () => {
  const maker = /\b(dialHook|anchorHook|ruleHook)\(/g;
  const definitions = /export function (dialHook|anchorHook|ruleHook)\(/;
  const found: string[] = [];
  for (const file of [...sources("src"), ...sources("experiments"), ...sources("bench")]) {
    if (file === "src/lm/hooks.ts") continue;
    const lines = readFileSync(join(root, file), "utf8").split("\n");
    lines.forEach((line, i) => {
      if (definitions.test(line) || /^\s*(\*|\/\/)/.test(line)) return;
      for (const match of line.matchAll(maker)) found.push(`${file}:${i + 1}: ${match[0]}`);
    });
  }
  assert.deepEqual(found, [], "use LocalistModel.hooks or assembleHooks (src/lm/hooks.ts)");
});
