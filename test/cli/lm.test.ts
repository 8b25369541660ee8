/**
 * `localist train | eval | generate` end to end on a small synthetic corpus: determinism, exact
 * resumption after a kill, evaluation against baselines, sampling, and one-line errors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync, readFileSync, truncateSync, writeFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { currentCheckpoint, runCli, tempFiles } from "../helpers/cli.js";
import { syntheticCorpus } from "../helpers/corpus.js";
import { SMALL_MODEL, tinyTrainArgs } from "../helpers/tinyModel.js";

const dir = tempFiles({ "corpus.txt": syntheticCorpus(600), "empty.txt": "" });
const corpus = join(dir, "corpus.txt");
const tiny = tinyTrainArgs({ ...SMALL_MODEL, corpus, warmup: 2 });
const small = tinyTrainArgs({ ...SMALL_MODEL, corpus, warmup: 2, lr: 0.01 });

function losses(out: string): number[] {
  return readFileSync(join(out, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { step: number; loss?: number; split?: string })
    .filter((r) => r.split === undefined)
    .map((r) => r.loss as number);
}

test("training is deterministic, saves a checkpoint, and lowers the loss", () => {
  const a = join(dir, "a");
  const b = join(dir, "b");
  for (const out of [a, b]) {
    const r = runCli([
      "train",
      ...small,
      "--steps",
      "30",
      "--checkpoint-every",
      "10",
      "--seed",
      "7",
      "--out",
      out,
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /trained 30 steps/);
  }
  for (const file of [
    "config.json",
    "tokenizer.json",
    "model.safetensors",
    "optimizer.safetensors",
    "state.json",
  ]) {
    assert.ok(existsSync(join(currentCheckpoint(a), file)), file);
  }
  const la = losses(a);
  assert.equal(la.length, 30);
  assert.deepEqual(la, losses(b));
  assert.ok(la[29] < la[0] - 1, `loss ${la[0]} → ${la[29]}`);
});

test("--resume after a kill continues exactly: the same losses as an uninterrupted run", async () => {
  const full = join(dir, "full");
  const killed = join(dir, "killed");
  const args = [...small, "--steps", "40", "--checkpoint-every", "5", "--seed", "3"];
  assert.equal(runCli(["train", ...args, "--out", full]).status, 0);
  const launcher = fileURLToPath(new URL("../../../bin/localist.js", import.meta.url));
  const child = spawn(process.execPath, [launcher, "train", ...args, "--out", killed], {
    stdio: "ignore",
  });
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      const log = join(killed, "metrics.jsonl");
      if (existsSync(log) && readFileSync(log, "utf8").split("\n").length > 13) {
        child.kill("SIGKILL");
        clearInterval(poll);
      }
    }, 5);
    child.on("exit", () => {
      clearInterval(poll);
      resolve();
    });
  });
  const before = losses(killed).length;
  assert.ok(before >= 12 && before < 40, `killed after ${before} steps`);
  const resumed = runCli(["train", "--out", killed, "--resume"]);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming .* at step (10|15|20|25|30|35) of 40/);
  // The log holds each step once: the killed run's up to its checkpoint, then the resumed ones.
  const expected = losses(full);
  const log = readFileSync(join(killed, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { step: number; loss: number; split?: string })
    .filter((r) => r.split === undefined);
  assert.deepEqual(
    log.map((record) => record.step),
    Array.from({ length: 40 }, (_, i) => i + 1),
  );
  for (const record of log)
    assert.equal(record.loss, expected[record.step - 1], `step ${record.step}`);
});

test("eval reports perplexity beside unigram and bigram baselines; generate is seeded", () => {
  const model = join(dir, "a");
  const r = runCli(["eval", "--model", model, "--split", "valid", "--json"]);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout) as {
    perplexity: number;
    accuracy: number;
    baselines: { unigram: number; bigram: number };
  };
  assert.ok(report.perplexity > 1 && Number.isFinite(report.perplexity));
  assert.ok(report.baselines.bigram < report.baselines.unigram);
  const table = runCli(["eval", "--model", model]);
  assert.match(table.stdout, /\| bigram \(interpolated/);
  const g1 = runCli([
    "generate",
    "--model",
    model,
    "--prompt",
    "the cat",
    "--tokens",
    "8",
    "--seed",
    "5",
  ]);
  const g2 = runCli([
    "generate",
    "--model",
    model,
    "--prompt",
    "the cat",
    "--tokens",
    "8",
    "--seed",
    "5",
  ]);
  assert.equal(g1.status, 0, g1.stderr);
  assert.equal(g1.stdout, g2.stdout);
  assert.match(g1.stdout, /^the cat \S+/);
});

test("a diverging run stops with the step named, and keeps the last checkpoint with a finite loss", () => {
  const out = join(dir, "nan");
  const r = runCli([
    "train",
    ...tiny,
    "--warmup",
    "20",
    "--lr",
    "100",
    "--clip",
    "1e30",
    "--steps",
    "40",
    "--checkpoint-every",
    "1",
    "--out",
    out,
  ]);
  assert.equal(r.status, 1, r.stderr);
  const last = r.stderr.trim().split("\n").at(-1) ?? "";
  const match =
    /^error: the training loss became (?:NaN|Infinity|-Infinity) at step (\d+); it had risen from \S+ at step \d+ to \S+ at step \d+; stopped, and the last good checkpoint \(step (\d+)\) is kept in .*nan; lower --lr$/.exec(
      last,
    );
  assert.ok(match, last);
  const [failed, kept] = [Number(match[1]), Number(match[2])];
  // θ_k is saved only after it gave a finite loss at step k + 1: the NaN at step n condemns θ_(n−1).
  assert.equal(kept, failed - 2);
  const state = JSON.parse(readFileSync(join(currentCheckpoint(out), "state.json"), "utf8")) as {
    step: number;
  };
  assert.equal(state.step, kept);
  const evaluated = runCli(["eval", "--model", out]);
  assert.equal(evaluated.status, 1);
  assert.match(
    evaluated.stderr.trim().split("\n").at(-1) ?? "",
    /^error: the model's log-probabilities are not finite on this text/,
  );
  assert.equal(evaluated.stdout, "");
});

test("a run that diverges before its first checkpoint says that none was saved", () => {
  const out = join(dir, "nan-early");
  const r = runCli([
    "train",
    ...tiny,
    "--lr",
    "1e30",
    "--clip",
    "1e30",
    "--steps",
    "5",
    "--out",
    out,
  ]);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr.trim().split("\n").at(-1) ?? "",
    /^error: the training loss became \S+ at step 2; stopped, and no checkpoint had been saved yet; lower --lr$/,
  );
});

const failures: [string, string[], number, RegExp][] = [
  [
    "missing corpus",
    ["train", "--corpus", "/nonexistent/words.txt", "--out", "OUT"],
    1,
    /^error: corpus file \/nonexistent\/words.txt does not exist$/,
  ],
  [
    "empty corpus",
    ["train", "--corpus", "EMPTY", "--out", "OUT"],
    1,
    /^error: corpus .*empty.txt has no words; give a non-empty plain-text file$/,
  ],
  [
    "bad attention",
    ["train", "--attention", "sparse:4", "--out", "OUT"],
    2,
    /^error: --attention must be global, local:K or hybrid:K \(K a positive integer\), got 'sparse:4'$/,
  ],
  [
    "bad position encoding",
    ["train", "--pos", "alibi", "--out", "OUT"],
    2,
    /^error: --pos must be one of none, learned, sinusoidal, rotary, got 'alibi'$/,
  ],
  [
    "context longer than the data",
    [
      "train",
      "--corpus",
      "CORPUS",
      "--context",
      "100000",
      "--batch",
      "1",
      "--heads",
      "1",
      "--attention",
      "local:8",
      "--out",
      "OUT",
    ],
    1,
    /^error: the training split of .* has \d+ tokens, fewer than --context \+ 1 = 100001; use a smaller --context or a larger corpus$/,
  ],
  [
    "attention too large",
    ["train", "--corpus", "CORPUS", "--context", "8192", "--batch", "16", "--out", "OUT"],
    1,
    /^error: --context 8192 with --batch 16 and 4 global heads needs 16\.0 GiB per attention map, over the 2 GiB limit; lower --context or --batch, or use --attention local:K$/,
  ],
  ["no --out", ["train"], 2, /^error: 'localist train' needs --out$/],
  [
    "model missing",
    ["eval", "--model", "/nonexistent/model"],
    1,
    /^error: no model at \/nonexistent\/model: train one with --out \/nonexistent\/model$/,
  ],
  [
    "resume with flags",
    ["train", "--out", "MODEL", "--resume", "--layers", "3"],
    2,
    /^error: --resume continues the run in .* with its saved settings; drop --layers$/,
  ],
  [
    "existing model without --resume",
    ["train", "--corpus", "CORPUS", "--out", "MODEL"],
    1,
    /^error: .* already holds a model; use --resume to continue it, or choose another --out$/,
  ],
  [
    "negative temperature",
    ["generate", "--model", "MODEL", "--prompt", "a", "--temperature", "-1"],
    2,
    /^error: --temperature must be ≥ 0, got -1$/,
  ],
];

for (const [name, rawArgs, status, message] of failures) {
  test(`bad input: ${name}`, () => {
    const paths: Record<string, string> = {
      OUT: join(dir, `out-${name.replace(/\W/g, "")}`),
      EMPTY: join(dir, "empty.txt"),
      CORPUS: corpus,
      MODEL: join(dir, "a"),
    };
    const r = runCli(rawArgs.map((a) => paths[a] ?? a));
    assert.equal(r.status, status, r.stderr);
    assert.match(r.stderr.trim(), message);
    assert.equal(r.stdout, "");
  });
}

test("a corrupt, truncated or mismatched checkpoint is refused with one line", () => {
  const source = join(dir, "a");
  const copy = (name: string) => {
    const target = join(dir, name);
    runCli(["train", ...small, "--steps", "2", "--seed", "7", "--out", target]);
    return target;
  };
  const truncated = copy("truncated");
  const weights = join(currentCheckpoint(truncated), "model.safetensors");
  truncateSync(weights, Math.floor(statSync(weights).size / 2));
  const r1 = runCli(["eval", "--model", truncated]);
  assert.equal(r1.status, 1);
  assert.match(
    r1.stderr.trim(),
    /^error: checkpoint .*model\.safetensors is truncated: .*; the file is corrupt, retrain or restore it$/,
  );

  const garbled = copy("garbled");
  writeFileSync(join(currentCheckpoint(garbled), "config.json"), "{ not json");
  const r2 = runCli(["eval", "--model", garbled]);
  assert.equal(r2.status, 1);
  assert.match(r2.stderr.trim(), /^error: model config .*config\.json is not valid JSON/);

  const other = copy("other");
  const otherConfig = join(currentCheckpoint(other), "config.json");
  const config = JSON.parse(readFileSync(otherConfig, "utf8")) as { model: { dMlp: number } };
  config.model.dMlp = 48;
  writeFileSync(otherConfig, JSON.stringify(config));
  const r3 = runCli(["eval", "--model", other]);
  assert.equal(r3.status, 1);
  assert.match(
    r3.stderr.trim(),
    /^error: checkpoint .*: tensor 'layers\.0\.w1' has shape \[16,64\] but the config needs \[16,48\] \(and \d+ more mismatch(es)?\); the checkpoint belongs to another model config$/,
  );
  assert.ok(existsSync(source));
});
