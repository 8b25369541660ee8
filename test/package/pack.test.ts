/**
 * The package as a user gets it: `npm pack` holds the compiled library, the page, the command,
 * the README, the license and docs/, and no tests, benchmarks or fixtures; installed from the
 * tarball into an empty folder, the README's library example runs, the subpaths compute, and
 * `localist --help` answers. The dependencies come from the npm cache or the registry; only when
 * both fail does the install part skip, saying so.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  version: string;
  exports: Record<string, { default: string } | string>;
};

function npm(args: string[], cwd: string, timeout = 300_000) {
  return spawnSync("npm", args, { cwd, encoding: "utf8", timeout });
}

/** The README's library example: the first TypeScript block of its "Library" section. */
function readmeExample(): string {
  const readme = readFileSync(join(root, "README.md"), "utf8");
  const section = readme.split(/^## Library\s*$/m)[1];
  assert.ok(section, "README.md has no '## Library' section");
  const block = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(block, "README.md's Library section has no ```ts example");
  return block[1];
}

/** Installing failed because neither the npm cache nor the registry could give a package. */
const UNREACHABLE =
  /E(NOTFOUND|AI_AGAIN|CONNREFUSED|CONNRESET|TIMEDOUT|NETUNREACH|NOTCACHED)|network/i;

test("npm pack ships the library, the page, the command and the docs, no tests or fixtures", async (t) => {
  const out = mkdtempSync(join(tmpdir(), "localist-pack-"));
  t.after(() => rmSync(out, { recursive: true, force: true }));
  // The build is npm test's first step; packing must not rebuild (prepare) in the middle of it.
  const packed = npm(["pack", "--ignore-scripts", "--json", "--pack-destination", out], root);
  assert.equal(packed.status, 0, packed.stderr);
  const [{ filename, files }] = JSON.parse(packed.stdout) as [
    { filename: string; files: { path: string }[] },
  ];
  const paths = files.map((file) => file.path);

  const needed = [
    "package.json",
    "README.md",
    "LICENSE",
    "bin/localist.js",
    "dist/src/cli/main.js",
    "dist/lab/index.html",
    "docs/api/README.md",
    "docs/math.md",
    ...Object.values(pkg.exports).flatMap((target) =>
      typeof target === "string" ? [target] : Object.values(target),
    ),
  ].map((path) => path.replace(/^\.\//, ""));
  for (const path of needed)
    assert.ok(paths.includes(path), `the tarball lacks ${path} (build first: npm run build)`);
  const unwanted = paths.filter((path) =>
    /^(test|bench|fixtures|python|src|experiments)\/|^dist\/(test|bench|test-artifacts|docs-api)\/|\.test\.|\.map$/.test(
      path,
    ),
  );
  assert.deepEqual(unwanted, [], "tests, benchmarks, fixtures or sources in the tarball");

  const app = join(out, "app");
  mkdirSync(app);
  writeFileSync(
    join(app, "package.json"),
    JSON.stringify({ name: "app", private: true, type: "module" }),
  );
  const install = npm(
    [
      ...["install", "--prefer-offline", "--no-audit", "--no-fund"],
      ...["--fetch-timeout=60000", "--fetch-retries=1", "--fetch-retry-maxtimeout=10000"],
      join(out, filename),
    ],
    app,
  );
  if (install.status !== 0 && UNREACHABLE.test(install.stderr)) {
    const reason = install.stderr.split("\n").find((line) => UNREACHABLE.test(line)) ?? "";
    t.skip(
      `the npm registry and the npm cache both failed, so the tarball could not be installed: ${reason.trim()}`,
    );
    return;
  }
  assert.equal(install.status, 0, `npm install of the tarball failed:\n${install.stderr}`);

  const run = (file: string, text: string) => {
    writeFileSync(join(app, file), text);
    return spawnSync(process.execPath, [file], { cwd: app, encoding: "utf8", timeout: 120_000 });
  };
  // The README's example, as a user pastes it (TypeScript-free JavaScript).
  const example = run("readme.mjs", readmeExample());
  assert.equal(example.status, 0, `the README's library example failed:\n${example.stderr}`);
  assert.equal(example.stderr, "");

  // The package root and two subpaths, with the values the README's example states.
  const computed = run(
    "subpaths.mjs",
    `import { initEngine, np, toFloat64 } from "localist";
import { distanceKernel } from "localist/kernels";
import { localMean, knnRegress } from "localist/classical";
await initEngine();
const x = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], { dtype: np.float64 });
const y = np.array([[1], [2], [3], [4]], { dtype: np.float64 });
const q = np.array([[0.5, 0.5]], { dtype: np.float64 });
const smooth = toFloat64(localMean(distanceKernel("gaussian", 0.5), x.ref, y.ref, q.ref));
const nearest = toFloat64(knnRegress(x, y, q, { k: 2 }));
process.stdout.write(JSON.stringify([...smooth, ...nearest]));
`,
  );
  assert.equal(computed.status, 0, computed.stderr);
  const [smooth, nearest] = JSON.parse(computed.stdout) as number[];
  assert.ok(Math.abs(smooth - 2.5) < 1e-12, `Nadaraya–Watson gave ${smooth}, not 2.5`);
  assert.ok(Math.abs(nearest - 1.5) < 1e-12, `2-NN regression gave ${nearest}, not 1.5`);

  const bin = join(app, "node_modules", ".bin", "localist");
  assert.ok(existsSync(bin), "the install made no localist command");
  const help = spawnSync(bin, ["--help"], { cwd: app, encoding: "utf8", timeout: 60_000 });
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /^usage: localist <command> \[options\]/);
});
