/**
 * The shape of the code: the import ladder of .dependency-cruiser.cjs is enforced (and the check
 * does fail on an import that climbs the ladder), and the formulas the comments cite exist in
 * docs/math.md, whose code references exist in src/.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const cruiser = join(root, "node_modules", "dependency-cruiser", "bin", "dependency-cruise.mjs");

function cruise(cwd: string) {
  return spawnSync(
    process.execPath,
    [cruiser, "src", "--config", join(root, ".dependency-cruiser.cjs"), "--output-type", "err"],
    { cwd, encoding: "utf8" },
  );
}

test("the import check passes on src/", () => {
  const r = cruise(root);
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test("the import check fails on an import that goes up the ladder", () => {
  const dir = mkdtempSync(join(tmpdir(), "localist-ladder-"));
  for (const folder of ["model", "localist"])
    mkdirSync(join(dir, "src", folder), { recursive: true });
  copyFileSync(join(root, "tsconfig.json"), join(dir, "tsconfig.json"));
  writeFileSync(join(dir, "src", "localist", "dial.ts"), "export const margin = 8;\n");
  writeFileSync(
    join(dir, "src", "model", "config.ts"),
    'import { margin } from "../localist/dial.js";\nexport const m = margin;\n',
  );
  const r = cruise(dir);
  assert.notEqual(r.status, 0, "a model → localist import must fail the check");
  assert.match(
    r.stdout + r.stderr,
    /model-imports-only-below: src\/model\/config\.ts → src\/localist\/dial\.ts/,
  );
});

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(folder, entry.name))
      : entry.name.endsWith(".ts")
        ? [join(folder, entry.name)]
        : [],
  );
}

test("every docs/math.md section a comment cites exists, and every file the page names exists", () => {
  const page = readFileSync(join(root, "docs", "math.md"), "utf8");
  const anchors = new Set(
    [...page.matchAll(/^## (.+)$/gm)].map(([, heading]) =>
      heading
        .toLowerCase()
        .replace(/[^\p{L}\p{N} -]/gu, "")
        .replace(/ /g, "-"),
    ),
  );
  let cited = 0;
  for (const file of ["src", "experiments"].flatMap((folder) => sourceFiles(join(root, folder)))) {
    const text = readFileSync(file, "utf8");
    assert.doesNotMatch(text, /DESIGN\.md/, `${file} cites a file that is not in the repository`);
    for (const [, anchor] of text.matchAll(/docs\/math\.md#([a-z0-9-]+)/g)) {
      cited++;
      assert.ok(anchors.has(anchor), `${file} cites docs/math.md#${anchor}, which has no section`);
    }
  }
  assert.ok(cited >= 20, `only ${cited} citations of docs/math.md in src/ and experiments/`);
  for (const [, path] of page.matchAll(/`((?:src|experiments)\/[^`]+\.ts)`/g))
    assert.ok(existsSync(join(root, path)), `docs/math.md names ${path}, which does not exist`);
});

test("the library never ends the process: no process.exit outside src/cli/", () => {
  const library = [
    ...sourceFiles(join(root, "src")).filter((file) => !file.includes(join("src", "cli", ""))),
    ...(existsSync(join(root, "experiments")) ? sourceFiles(join(root, "experiments")) : []),
  ];
  assert.ok(library.length > 100, `only ${library.length} library files found`);
  for (const file of library)
    assert.doesNotMatch(
      readFileSync(file, "utf8"),
      /process\s*\.\s*(exit|abort)\s*\(|process\.reallyExit/,
      `${file} ends the process; throw a LocalistError and let the caller decide`,
    );
});
