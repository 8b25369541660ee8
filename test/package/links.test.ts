/**
 * The manual's links hold: every relative link (and image) in README.md, CONTRIBUTING.md, the
 * folders' READMEs and docs/**.md names a file inside the repository that exists, and an anchor
 * names a heading of that file; a path written in code that leaves the repository (`../…` from
 * the root) is refused too, since a reader of the package has nothing beside it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(fileURLToPath(new URL("../../../", import.meta.url)));

function markdownFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? markdownFiles(join(folder, entry.name))
      : entry.name.endsWith(".md")
        ? [join(folder, entry.name)]
        : [],
  );
}

/** The pages a reader follows: the READMEs, CONTRIBUTING.md and everything under docs/. */
function pages(): string[] {
  const top = [
    "README.md",
    "CONTRIBUTING.md",
    ...["bench", "experiments", "python", "fixtures"].map((f) => `${f}/README.md`),
  ];
  return [
    ...top.map((file) => join(root, file)).filter((file) => existsSync(file)),
    ...markdownFiles(join(root, "docs")),
  ];
}

/** The page with its fenced code blocks blanked (their text is not Markdown). */
function withoutFences(text: string): string {
  return text.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) =>
    block.replace(/[^\n]/g, ""),
  ); // blank lines in their place, so line numbers stay right
}

/** GitHub's heading anchors of a page: lower case, punctuation dropped, spaces to hyphens, repeats numbered. */
function anchors(text: string): Set<string> {
  const seen = new Map<string, number>();
  const found = new Set<string>();
  for (const [, heading] of withoutFences(text).matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const plain = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .replace(/<[^>]+>/g, "")
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M} _-]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(plain) ?? 0;
    seen.set(plain, count + 1);
    found.add(count === 0 ? plain : `${plain}-${count}`);
  }
  for (const [, id] of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) found.add(id);
  return found;
}

/** Every link and image target of a page, with its line, outside code. */
function links(text: string): { target: string; line: number }[] {
  const lines = withoutFences(text).split("\n");
  const found: { target: string; line: number }[] = [];
  lines.forEach((raw, index) => {
    const line = raw.replace(/`[^`]*`/g, "");
    const add = (target: string) => found.push({ target, line: index + 1 });
    for (const [, target] of line.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      add(target);
    for (const [, target] of line.matchAll(/^\s*\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/g))
      add(target);
    for (const [, target] of line.matchAll(/<(?:a|img)\s[^>]*(?:href|src)="([^"]+)"/g)) add(target);
  });
  return found;
}

const inside = (path: string) => {
  const rel = relative(root, path);
  return rel !== "" && !rel.startsWith(`..${sep}`) && rel !== ".." && !rel.startsWith(sep);
};

test("every relative link in the READMEs and docs/ names a file and a heading inside the repository", () => {
  const files = pages();
  assert.ok(
    files.some((file) => file.endsWith(join("docs", "api", "README.md"))),
    "docs/api/ is missing",
  );
  const problems: string[] = [];
  let checked = 0;
  for (const file of files) {
    const text = readFileSync(file, "utf8");
    const where = (line: number) => `${relative(root, file)}:${line}`;
    for (const { target, line } of links(text)) {
      if (/^[a-z][a-z0-9+.-]*:|^\/\//i.test(target)) continue; // https:, mailto:, …
      checked++;
      const [path, anchor] = target.split("#", 2) as [string, string | undefined];
      const destination = path === "" ? file : resolve(dirname(file), decodeURIComponent(path));
      if (!inside(destination)) {
        problems.push(`${where(line)}: ${target} leaves the repository`);
        continue;
      }
      if (!existsSync(destination)) {
        problems.push(`${where(line)}: ${target} does not exist`);
        continue;
      }
      if (anchor === undefined || anchor === "" || statSync(destination).isDirectory()) continue;
      if (!destination.endsWith(".md")) continue;
      if (!anchors(readFileSync(destination, "utf8")).has(anchor))
        problems.push(
          `${where(line)}: ${target} names no heading of ${relative(root, destination)}`,
        );
    }
    // A path in code that climbs out of the repository (e.g. a sibling folder's notes).
    withoutFences(text)
      .split("\n")
      .forEach((line, index) => {
        for (const [, path] of line.matchAll(/`(\.\.\/[^`\s]+)`/g))
          if (!inside(resolve(dirname(file), path)))
            problems.push(`${where(index + 1)}: \`${path}\` is outside the repository`);
      });
  }
  assert.ok(checked > 50, `only ${checked} relative links found`);
  assert.deepEqual(problems, []);
});

test("the anchor rule is GitHub's: punctuation dropped, repeated headings numbered", () => {
  const found = anchors(
    "# The dial: λ ∈ [0, 1]\n## Constructor\n## Constructor\n```\n# not a heading\n```\n",
  );
  assert.deepEqual([...found], ["the-dial-λ--0-1", "constructor", "constructor-1"]);
});
