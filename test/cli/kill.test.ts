/**
 * Kill a training run that checkpoints every step at random moments, with SIGKILL and SIGINT
 * (Ctrl-C): the folder always holds one complete checkpoint, `--resume` completes the run, and its
 * final weights are bit for bit those of an uninterrupted run (all on two compute threads where
 * the machine has them). 10 kills here; run
 * `LOCALIST_KILL_TRIALS=50 node --test dist/test/cli/kill.test.js` for the long version.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { cpSync, existsSync, readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { seededUniform } from "../../src/engine/random.js";
import { currentCheckpoint, runCli, tempFiles } from "../helpers/cli.js";
import { syntheticCorpus } from "../helpers/corpus.js";
import { SMALL_MODEL, tinyTrainArgs } from "../helpers/tinyModel.js";

const trials = Number(process.env.LOCALIST_KILL_TRIALS ?? 10);
const dir = tempFiles({ "corpus.txt": syntheticCorpus(300) });
const args = [
  ...tinyTrainArgs({
    ...SMALL_MODEL,
    corpus: join(dir, "corpus.txt"),
    warmup: 2,
    lr: 0.01,
    steps: 30,
    checkpointEvery: 1,
    seed: 5,
  }),
  // Threaded where the machine has two cores: a killed threaded run must resume exactly too.
  "--threads",
  String(Math.min(2, availableParallelism())),
];
const launcher = fileURLToPath(new URL("../../../bin/localist.js", import.meta.url));

/** Starts a training run and kills it with `signal` after `delay` ms (or lets it finish). */
function killedRun(out: string, signal: NodeJS.Signals, delay: number): Promise<void> {
  const child = spawn(process.execPath, [launcher, "train", ...args, "--out", out], {
    stdio: "ignore",
  });
  const timer = setTimeout(() => child.kill(signal), delay);
  return new Promise((resolve) =>
    child.on("exit", () => {
      clearTimeout(timer);
      resolve();
    }),
  );
}

const weights = (run: string) => readFileSync(join(currentCheckpoint(run), "model.safetensors"));

test(`${trials} kills at random moments: resume always completes with the uninterrupted weights`, async () => {
  const reference = join(dir, "reference");
  const started = performance.now();
  assert.equal(runCli(["train", ...args, "--out", reference]).status, 0);
  const runTime = performance.now() - started;
  const expected = weights(reference);
  const uniform = seededUniform(2024);
  const outcomes: string[] = [];
  for (let trial = 0; trial < trials; trial++) {
    const out = join(dir, `killed-${trial}`);
    const signal = trial % 2 === 0 ? "SIGKILL" : "SIGINT";
    await killedRun(out, signal, 200 + uniform() * runTime);
    const saved = existsSync(join(out, "checkpoint.json"));
    if (saved) {
      // At every instant the pointer names a complete checkpoint.
      assert.ok(existsSync(join(currentCheckpoint(out), "config.json")), `trial ${trial}`);
    }
    const again = runCli(["train", ...(saved ? ["--resume"] : args), "--out", out]);
    const finished = again.status === 0;
    assert.ok(
      finished || /already finished its 30 steps/.test(again.stderr),
      `trial ${trial} (${signal}): ${again.stderr}`,
    );
    assert.deepEqual(weights(out), expected, `trial ${trial}: the final weights differ`);
    assert.deepEqual(
      readdirSync(join(out, "checkpoints")).length,
      1,
      `trial ${trial}: one checkpoint folder`,
    );
    assert.ok(
      !readdirSync(out).some((name) => name.includes(".tmp-")),
      `trial ${trial}: temp files`,
    );
    const steps = readFileSync(join(out, "metrics.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { step: number; split?: string })
      .filter((record) => record.split === undefined)
      .map((record) => record.step);
    assert.deepEqual(
      steps,
      Array.from({ length: 30 }, (_, i) => i + 1),
      `trial ${trial}: history`,
    );
    outcomes.push(saved ? "resumed" : "restarted");
  }
  assert.ok(outcomes.includes("resumed"), outcomes.join(", "));
});

test("a second training into the same folder is refused while the first runs", async () => {
  const out = join(dir, "contested");
  const long = args
    .map((a) => (a === "30" ? "400" : a))
    .map((a, i, all) => (all[i - 1] === "--checkpoint-every" ? "50" : a));
  const first = spawn(process.execPath, [launcher, "train", ...long, "--out", out], {
    stdio: "ignore",
  });
  const firstDone = new Promise<number | null>((resolve) => first.on("exit", resolve));
  while (!existsSync(join(out, ".lock"))) await new Promise((r) => setTimeout(r, 20));
  const second = runCli(["train", ...long, "--out", out]);
  assert.equal(second.status, 1, second.stderr);
  assert.match(
    second.stderr.trim().split("\n").at(-1) ?? "",
    /^error: .*contested is being written by another localist process \(pid \d+ on .+\); wait for it to finish, or remove .*\.lock if that process is gone$/,
  );
  assert.equal(await firstDone, 0);
  assert.ok(!existsSync(join(out, ".lock")), "the lock is released");
  const steps = readFileSync(join(out, "metrics.jsonl"), "utf8").trim().split("\n").length;
  assert.equal(steps, 401, "one run's 400 steps and its validation record, nothing interleaved");
});

test("a run killed after its last pointer switch, before the clean-up, is tidied by --resume", () => {
  const out = join(dir, "finished");
  const short = args.map((a) => (a === "30" ? "3" : a));
  assert.equal(runCli(["train", ...short, "--out", out]).status, 0);
  // What a kill between the pointer switch and the clean-up leaves: the previous folder too.
  const current = currentCheckpoint(out);
  cpSync(current, join(out, "checkpoints", "step-00000002-0a0b0c"), { recursive: true });
  assert.equal(readdirSync(join(out, "checkpoints")).length, 2);
  const again = runCli(["train", "--resume", "--out", out]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already finished its 3 steps; nothing to resume/);
  assert.deepEqual(readdirSync(join(out, "checkpoints")), [current.split("/").at(-1)]);
  assert.ok(!existsSync(join(out, ".lock")), "the lock is released");
});
