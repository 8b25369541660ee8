/**
 * The small things of a hostile sweep: resuming a run killed before its first checkpoint, a run
 * that finished but lost its validation record, a config from a later format, and explain on a
 * text longer than the context. Each is one clear line (or note), not a misleading one.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { currentCheckpoint, runCli, tempFiles } from "../helpers/cli.js";

const dir = tempFiles({ "c.txt": "the cat sees the dog .\n".repeat(40) });
const TINY = ["--corpus", join(dir, "c.txt"), "--steps", "2", "--context", "8", "--d-model", "8"];
const run = join(dir, "run");
const trained = runCli(["train", "--out", run, ...TINY, "--layers", "1", "--heads", "1"]);

test("the tiny run trains", () => {
  assert.equal(trained.status, 0, trained.stderr);
});

test("--resume on a run killed before its first checkpoint says to start it again", () => {
  const killed = join(dir, "killed");
  mkdirSync(killed);
  writeFileSync(join(killed, "metrics.jsonl"), '{"step":1,"loss":2}\n');
  const r = runCli(["train", "--resume", "--out", killed]);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /^error: .*killed holds no checkpoint yet \(the run was stopped before its first one\); start it again with the same settings, without resuming\n$/,
  );
});

test("--resume on a finished run whose validation record is missing says so", () => {
  const log = join(run, "metrics.jsonl");
  const lines = readFileSync(log, "utf8").trim().split("\n");
  const finished = runCli(["train", "--resume", "--out", run]);
  assert.equal(finished.status, 1);
  assert.match(finished.stderr, /already finished its 2 steps; nothing to resume\n$/);
  writeFileSync(log, `${lines.filter((line) => !line.includes('"split":"valid"')).join("\n")}\n`);
  const lost = runCli(["train", "--resume", "--out", run]);
  assert.equal(lost.status, 1);
  assert.match(
    lost.stderr,
    /nothing to resume; its metrics log has no validation record for the last step: if the final validation was interrupted, evaluate the model to get it\n$/,
  );
});

test("explain on a text longer than the context notes what it explains", () => {
  const model = fileURLToPath(new URL("../../../fixtures/lab-model", import.meta.url));
  const r = runCli(["explain", "--model", model, "--text", "the cat sees the dog . ".repeat(60)]);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(
    r.stderr,
    "note: the text has 360 tokens; explaining its last 32 (the model's context)\n",
  );
});

test("a config from a later format version says it is newer, not 'must be 1'", () => {
  const config = join(currentCheckpoint(run), "config.json");
  const value = JSON.parse(readFileSync(config, "utf8")) as { version: number };
  writeFileSync(config, JSON.stringify({ ...value, version: 99 }));
  const r = runCli(["eval", "--model", run]);
  assert.equal(r.status, 1);
  assert.match(
    r.stderr,
    /^error: .*config\.json is format version 99, newer than this localist reads \(1 to 2\); open it with the localist that wrote it, or a newer one\n$/,
  );
  assert.ok(readdirSync(run).includes("checkpoint.json"));
});
