/**
 * Anchors and recruitment from the command line: `train --anchors K` on a local model stores the
 * anchors with their scores, `anchors` lists them, rules can target them; `train --recruit` logs
 * every check and records every split in the checkpoint, and `explain` names the recruited blocks.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { currentCheckpoint, runCli, tempFiles } from "../helpers/cli.js";
import { syntheticBlocks, syntheticCorpus } from "../helpers/corpus.js";
import { SMALL_MODEL, tinyTrainArgs } from "../helpers/tinyModel.js";

const dir = tempFiles({
  "corpus.txt": syntheticCorpus(300),
  "blocks.json": JSON.stringify(syntheticBlocks),
  "to-anchors.json": JSON.stringify({
    rules: [
      { id: "anchors", query: { all: true }, key: { anchor: true }, alpha: 0.001, minFidelity: 0 },
    ],
  }),
});
const file = (name: string) => join(dir, name);
const tiny = (out: string, ...extra: string[]) => [
  "train",
  ...tinyTrainArgs({
    ...SMALL_MODEL,
    layers: 2,
    corpus: file("corpus.txt"),
    out: join(dir, out),
  }),
  ...extra,
];
const config = (run: string) =>
  JSON.parse(
    readFileSync(join(currentCheckpoint(join(dir, run)), "config.json"), "utf8"),
  ) as Record<string, unknown>;

test("train --anchors K: a local model with its anchors and their scores; anchors lists them", () => {
  const r = runCli(tiny("anchored", "--attention", "local:2", "--anchors", "3", "--steps", "10"));
  assert.equal(r.status, 0, r.stderr);
  const anchors = config("anchored").anchors as {
    kind: string;
    tokens: number[];
    scores: number[];
  };
  assert.equal(anchors.kind, "tokens");
  assert.equal(anchors.tokens.length, 3);
  assert.ok(anchors.scores[0] >= anchors.scores[1] && anchors.scores[2] > 0);
  const listed = runCli(["anchors", "--model", join(dir, "anchored"), "--json"]);
  assert.equal(listed.status, 0, listed.stderr);
  const list = JSON.parse(listed.stdout) as {
    anchors: { rank: number; token: string; bits: number }[];
  };
  assert.deepEqual(
    list.anchors.map((a) => a.bits),
    anchors.scores,
  );
  const check = runCli([
    "check",
    "--model",
    join(dir, "anchored"),
    "--rules",
    file("to-anchors.json"),
    "--windows",
    "2",
  ]);
  assert.equal(check.status, 0, check.stderr);
  const sinks = runCli(
    tiny(
      "sinks",
      "--attention",
      "hybrid:2",
      "--anchors",
      "2",
      "--anchor-kind",
      "sinks",
      "--steps",
      "5",
    ),
  );
  assert.equal(sinks.status, 0, sinks.stderr);
  assert.deepEqual(config("sinks").anchors, { kind: "sinks", count: 2 });
  const plain = runCli([
    "check",
    "--model",
    join(dir, "sinks"),
    "--rules",
    file("to-anchors.json"),
    "--windows",
    "2",
  ]);
  assert.equal(plain.status, 0, plain.stderr);
});

test("anchors need a local window; a model without anchors cannot be steered to them", () => {
  const global = runCli(tiny("global", "--anchors", "3", "--steps", "2"));
  assert.equal(global.status, 2);
  assert.equal(
    global.stderr.trim(),
    "error: --anchors makes keys visible beyond a local window; use --attention local:W or hybrid:W",
  );
  const kind = runCli(
    tiny("kind", "--attention", "local:2", "--anchor-kind", "sinks", "--steps", "2"),
  );
  assert.equal(kind.stderr.trim(), "error: --anchor-kind needs --anchors K");
  const none = runCli(tiny("none", "--steps", "2"));
  assert.equal(none.status, 0, none.stderr);
  const steer = runCli([
    "check",
    "--model",
    join(dir, "none"),
    "--rules",
    file("to-anchors.json"),
    "--windows",
    "1",
  ]);
  assert.equal(steer.status, 1);
  assert.match(
    steer.stderr,
    /rule 'anchors', key selector: selects anchors, but the model has none \(train it with --anchors K\)\n$/,
  );
});

test("train --recruit: every split logged and recorded; explain names the recruited blocks", () => {
  const r = runCli(
    tiny(
      "recruit",
      "--localist",
      "--blocks",
      file("blocks.json"),
      "--recruit",
      "--recruit-every",
      "10",
      "--max-blocks",
      "5",
      "--steps",
      "40",
    ),
  );
  assert.equal(r.status, 0, r.stderr);
  const log = readFileSync(join(dir, "recruit", "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { step: number; recruitment?: Record<string, unknown> });
  const checks = log.filter((line) => line.recruitment);
  assert.deepEqual(
    checks.map((line) => line.step),
    [10, 20, 30],
  );
  const localist = config("recruit").localist as {
    blocks: { names: string[] };
    recruitment: {
      start: string[];
      events: {
        step: number;
        block: string;
        into: string[];
        sizes: number[];
        gainBits: number;
        costBits: number;
      }[];
    };
  };
  assert.deepEqual(localist.recruitment.start, ["function", "noun", "verb", "other"]);
  const events = localist.recruitment.events;
  assert.ok(events.length >= 1 && events.length <= 1 + 0 + 3);
  assert.equal(localist.blocks.names.length, 4 + events.length);
  for (const event of events) {
    assert.ok(event.gainBits > event.costBits);
    assert.ok(event.sizes[0] > 0 && event.sizes[1] > 0);
    assert.deepEqual(event.into, [`${event.block}.1`, `${event.block}.2`]);
  }
  const splits = checks.filter((line) => line.recruitment?.split === true);
  assert.equal(splits.length, events.length);
  const explain = runCli([
    "explain",
    "--model",
    join(dir, "recruit"),
    "--text",
    "the cat sees a dog",
    "--layer",
    "0",
  ]);
  assert.equal(explain.status, 0, explain.stderr);
  assert.match(
    explain.stdout,
    new RegExp(
      `^recruited at step ${events[0].step}: ${events[0].into[0].replace(".", "\\.")} \\(`,
      "m",
    ),
  );
  const windowBlocks = runCli(
    tiny("w", "--localist", "--blocks", "window:4", "--recruit", "--steps", "2"),
  );
  assert.equal(windowBlocks.status, 2);
  assert.match(windowBlocks.stderr, /--recruit splits token blocks/);
});
