/**
 * Compute threads (src/engine/threads.ts), each case in a child process, since the thread count
 * is fixed per process: threaded kernels, and a whole training run with its evaluation, give the
 * single-threaded bits, and a thread that dies ends the process with one line instead of a hang.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli, tempFiles } from "../helpers/cli.js";
import { syntheticCorpus } from "../helpers/corpus.js";
import { SMALL_MODEL, tinyTrainArgs } from "../helpers/tinyModel.js";

const twoCores = { skip: availableParallelism() < 2 ? "needs 2 cores" : false };

const engine = fileURLToPath(new URL("../../src/engine/engine.js", import.meta.url));
const threadsModule = fileURLToPath(new URL("../../src/engine/threads.js", import.meta.url));
/** What a Node entry point does: the threads first, then the engine. */
const prelude = `import ${JSON.stringify(threadsModule)};\n`;

function runScript(script: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ["--input-type=module", "-e", prelude + script], {
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 120_000,
  });
}

/** A compiled computation with matrix products, a reduction and exp, read sync or async. */
const computation = (threads: number, read: "sync" | "async") => `
import { initEngine, jit, np, random, engineThreads } from ${JSON.stringify(engine)};
await initEngine({ threads: ${threads} });
const x = random.normal(random.key(7), [96, 80]);
const f = jit((a) => np.matmul(np.exp(np.matmul(a.ref, a.ref.transpose()).mul(0.01)), a).sum(0));
const y = f(x);
const values = ${read === "async" ? "await y.data()" : "y.dataSync()"};
process.stdout.write(JSON.stringify({ threads: engineThreads(), values: Array.from(values) }));
`;

test("kernels on two threads give the main thread's bits", twoCores, () => {
  const single = runScript(computation(1, "sync"), { LOCALIST_THREADS: "1" });
  const threaded = runScript(computation(2, "async"));
  assert.equal(single.status, 0, single.stderr);
  assert.equal(threaded.status, 0, threaded.stderr);
  const a = JSON.parse(single.stdout) as { threads: number; values: number[] };
  const b = JSON.parse(threaded.stdout) as { threads: number; values: number[] };
  assert.equal(a.threads, 1);
  assert.equal(b.threads, 2);
  assert.equal(a.values.length, 80);
  assert.deepEqual(b.values, a.values);
});

test("a compute thread that dies ends the process with one line, not a hang", twoCores, () => {
  const script = `
import { initEngine, jit, np, random } from ${JSON.stringify(engine)};
import { computeThreads } from ${JSON.stringify(threadsModule)};
await initEngine({ threads: 2 });
const x = random.normal(random.key(1), [256, 256]);
const f = jit((a) => np.matmul(a.ref, a).sum());
await f(x.ref).data(); // the threads are running
await computeThreads()[0].terminate();
await f(x).data();
process.stdout.write("finished\\n");
`;
  const result = runScript(script);
  assert.equal(result.status, 1, `exit ${result.status}: ${result.stderr}`);
  assert.equal(result.stdout, "");
  const lines = result.stderr.trim().split("\n");
  assert.equal(lines.length, 1, result.stderr);
  assert.match(
    lines[0],
    /^error: a compute thread failed \(a thread stopped with exit code 1\); .*--threads 1/,
  );
});

test("more threads than cores, or threads where they are off, is refused in words", () => {
  const tooMany = runScript(`
import { initEngine } from ${JSON.stringify(engine)};
try { await initEngine({ threads: 10000 }); } catch (error) { process.stdout.write(error.message); }
`);
  assert.match(tooMany.stdout, /core\(s\); ask for at most \d+ threads, got 10000/);
  const off = runScript(
    `
import { initEngine } from ${JSON.stringify(engine)};
try { await initEngine({ threads: 2 }); } catch (error) { process.stdout.write(error.message); }
`,
    { LOCALIST_THREADS: "1" },
  );
  assert.match(off.stdout, /LOCALIST_THREADS=1/);
});

test("training and evaluation on two threads give the single-threaded losses", twoCores, () => {
  const dir = tempFiles({ "corpus.txt": syntheticCorpus(300) });
  const train = (threads: number) => {
    const out = join(dir, `run-${threads}`);
    const result = runCli([
      "train",
      ...tinyTrainArgs({
        ...SMALL_MODEL,
        corpus: join(dir, "corpus.txt"),
        out,
        layers: 2,
        steps: 25,
        warmup: 2,
        lr: 0.01,
      }),
      ...["--tokenizer", "char", "--localist"],
      ...["--blocks", "window:4", "--threads", String(threads)],
    ]);
    assert.equal(result.status, 0, result.stderr);
    const records = readFileSync(join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { loss?: number; perplexity?: number; split?: string });
    return {
      losses: records.filter((r) => r.split === undefined).map((r) => r.loss),
      valid: records.find((r) => r.split === "valid")?.perplexity,
    };
  };
  const single = train(1);
  const threaded = train(2);
  assert.equal(single.losses.length, 25);
  assert.ok(single.valid !== undefined && Number.isFinite(single.valid));
  assert.deepEqual(threaded, single);
});
