/**
 * The experiment pages (docs/experiments/*.md) stay reproducible: each names at least one command
 * that produces its numbers, every command it names exists (`node dist/bench/X.bench.js` needs
 * bench/X.bench.ts; `localist CMD` needs CMD in the command table of src/cli/main.ts), and every
 * relative link and image resolves to a file of the repository.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const pagesDir = join(root, "docs", "experiments");
const pages = readdirSync(pagesDir)
  .filter((name) => name.endsWith(".md"))
  .sort();

/** The command names of `localist`, read from the COMMANDS table of src/cli/main.ts. */
function cliCommands(): Set<string> {
  const source = readFileSync(join(root, "src", "cli", "main.ts"), "utf8");
  const start = source.indexOf("const COMMANDS");
  assert.ok(start >= 0, "src/cli/main.ts has no COMMANDS table");
  const body = source.slice(start, source.indexOf("\n};", start));
  const names = [...body.matchAll(/^\s+"?([a-z][\w-]*)"?\s*:/gm)].map((m) => m[1]);
  return new Set(names);
}

/** The code of a page: fenced blocks and inline code spans, where commands are written. */
function codeOf(markdown: string): string[] {
  const fenced = [...markdown.matchAll(/^```[^\n]*\n([\s\S]*?)^```/gm)].map((m) => m[1]);
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, "");
  const spans = [...prose.matchAll(/`([^`\n]+)`/g)].map((m) => m[1]);
  return [...fenced, ...spans];
}

/** Relative link and image targets outside code, without their #fragment. */
function relativeLinks(markdown: string): string[] {
  const prose = markdown.replace(/^```[^\n]*\n[\s\S]*?^```/gm, "").replace(/`[^`\n]*`/g, "");
  return [...prose.matchAll(/!?\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1])
    .filter((target) => !/^(?:[a-z]+:|#)/i.test(target))
    .map((target) => decodeURIComponent(target.split("#")[0]));
}

test("docs/experiments has a summary and pages", () => {
  assert.ok(pages.includes("README.md"), "docs/experiments/README.md (the summary) is missing");
  assert.ok(pages.length >= 2, `expected pages beside the summary, found ${pages.join(", ")}`);
});

test("every experiment page names a command that exists", () => {
  const commands = cliCommands();
  assert.ok(commands.has("train") && commands.has("sweep"), "the CLI command table was not read");
  for (const page of pages) {
    const code = codeOf(readFileSync(join(pagesDir, page), "utf8")).join("\n");
    const benches = [...code.matchAll(/node dist\/bench\/([\w-]+)\.bench\.js/g)].map((m) => m[1]);
    const cli = [...code.matchAll(/(?:^|[\s;&|(])(?:npx )?localist ([a-z][\w-]*)/gm)].map(
      (m) => m[1],
    );
    assert.ok(
      benches.length + cli.length > 0,
      `${page} names no command (node dist/bench/X.bench.js or localist CMD) that produces its numbers`,
    );
    for (const bench of benches)
      assert.ok(
        existsSync(join(root, "bench", `${bench}.bench.ts`)),
        `${page} runs node dist/bench/${bench}.bench.js, but bench/${bench}.bench.ts does not exist`,
      );
    for (const command of cli)
      assert.ok(
        commands.has(command),
        `${page} runs 'localist ${command}', which is not a command of src/cli/main.ts (${[...commands].join(", ")})`,
      );
  }
});

test("every relative link of the experiment pages resolves", () => {
  for (const page of pages) {
    for (const target of relativeLinks(readFileSync(join(pagesDir, page), "utf8"))) {
      if (target === "") continue;
      const path = resolve(dirname(join(pagesDir, page)), target);
      assert.ok(existsSync(path), `${page} links to ${target}, which does not exist (${path})`);
    }
  }
});
