/**
 * Compute threads (src/engine/threads.ts), each case in a child process, since the thread count
 * is fixed per process: threaded kernels, and a whole training run with its evaluation, give the
 * single-threaded bits, and a thread that dies rejects the running call with one error instead of
 * a hang, while the process goes on (the command line then ends with that one line).
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

const module = (path: string) => JSON.stringify(fileURLToPath(new URL(path, import.meta.url)));

test(
  "a compute thread that dies rejects the running call with one error; the process goes on",
  twoCores,
  () => {
    const script = `
import { initEngine, np, random, readAsync } from ${JSON.stringify(engine)};
import { computeThreads } from ${JSON.stringify(threadsModule)};
import { onThreadFailure, ComputeThreadError } from ${module("../../src/engine/threadControl.js")};
import { LocalistError } from ${module("../../src/engine/errors.js")};
import { runTrainingLoop } from ${module("../../src/train/loop.js")};
import { adamw } from ${module("../../src/train/optimizer.js")};
import { decays } from ${module("../../src/model/params.js")};
await initEngine({ threads: 2 });
const heard = [];
onThreadFailure((error) => heard.push(error.reason));
const optimizer = adamw({ learningRate: () => 1e-3, beta1: 0.9, beta2: 0.95, epsilon: 1e-8, weightDecay: 0, clipNorm: 1, decays });
/** A long run whose every step reads a (512, 512) product back from the threads. */
const run = () => runTrainingLoop({
  params: { w: random.normal(random.key(1), [512, 512]).mul(0.01) },
  optimizer, start: 0, steps: 100000,
  gradients: (p) => ({ loss: np.matmul(p.w.ref, p.w.ref).sum(), grads: { w: p.w.ref.mul(0) } }),
  onStep: ({ step }) => { if (step === 2) void computeThreads()[0].terminate(); },
});
const outcome = async (call) => {
  try { await call(); return "resolved"; }
  catch (error) { return { thread: error instanceof ComputeThreadError, localist: error instanceof LocalistError, message: error.message }; }
};
const first = await outcome(run);
const second = await outcome(run);
const read = await outcome(() => readAsync(np.ones([4]).sum()));
// The main thread still computes (synchronous reads), and the process ends on its own.
const sync = Array.from(np.ones([3]).mul(2).dataSync());
process.stdout.write(JSON.stringify({ first, second, read, heard, sync }));
`;
    const result = runScript(script);
    assert.equal(result.status, 0, `exit ${result.status}: ${result.stderr}`);
    const { first, second, read, heard, sync } = JSON.parse(result.stdout) as Record<
      string,
      unknown
    >;
    const expected = {
      thread: true,
      localist: true,
      message:
        "a compute thread failed (a thread stopped with exit code 1); the computation stopped, and this process computes no more on threads: run it again (LOCALIST_THREADS=1 in the environment computes on the main thread alone)",
    };
    assert.deepEqual(first, expected);
    assert.deepEqual(second, expected, "a later call rejects at once, it does not hang");
    assert.deepEqual(read, expected);
    assert.deepEqual(heard, ["a thread stopped with exit code 1"], "the listener hears it once");
    assert.deepEqual(sync, [2, 2, 2]);
  },
);

test("the command line ends at a thread failure with one line and exit status 1", twoCores, () => {
  const dir = tempFiles({ "corpus.txt": syntheticCorpus(300) });
  const args = [
    ...["train", "--out", join(dir, "run"), "--corpus", join(dir, "corpus.txt")],
    ...["--tokenizer", "char", "--layers", "1", "--heads", "2", "--d-model", "16"],
    ...["--context", "16", "--batch", "4", "--steps", "100000", "--threads", "2"],
  ];
  const script = `
import { main } from ${module("../../src/cli/main.js")};
import { computeThreads } from ${JSON.stringify(threadsModule)};
// Kill a thread once the run computes on them.
const poll = setInterval(() => {
  if (computeThreads().length === 0) return;
  clearInterval(poll);
  setTimeout(() => void computeThreads()[0].terminate(), 200);
}, 5);
let stderr = "";
const code = await main(${JSON.stringify(args)}, {
  stdout: { write: () => true },
  stderr: { write: (text) => { stderr += text; return true; } },
});
process.stdout.write(JSON.stringify({ code, stderr }));
`;
  const result = runScript(script);
  assert.equal(result.status, 0, `exit ${result.status}: ${result.stderr}`);
  const { code, stderr } = JSON.parse(result.stdout) as { code: number; stderr: string };
  assert.equal(code, 1);
  assert.equal(stderr.split("\n").length, 2, stderr); // one line and its newline
  assert.match(
    stderr,
    /^error: a compute thread failed \(a thread stopped with exit code 1\); .*LOCALIST_THREADS=1/,
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
