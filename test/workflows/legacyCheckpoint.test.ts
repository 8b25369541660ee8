/**
 * A checkpoint written by localist 0.1.0 (format version 1, the localist structure inside the
 * model config) still loads, evaluates, sweeps, samples, explains and resumes with the numbers
 * 0.1.0 computed from it (fixtures/checkpoint-0.1.0, made by its make.sh at commit 555d790).
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fromHost, np, toFloat64, tree } from "../../src/engine/engine.js";
import { forward } from "../../src/model/transformer.js";
import { LocalistModel } from "../../src/lm/node.js";
import { attachHooks, finishAndDiscard, hookInputs } from "../../src/model/hooks.js";
import { currentCheckpoint, runCli } from "../helpers/cli.js";
import { ready } from "../helpers/arrays.js";

before(() => ready);

const folder = fileURLToPath(new URL("../../../fixtures/checkpoint-0.1.0/", import.meta.url));
const model = join(folder, "model");
const expected = JSON.parse(readFileSync(join(folder, "expected.json"), "utf8")) as {
  eval: Record<string, unknown>;
  evalDial1Linear: Record<string, unknown>;
  sweep: { rows: Record<string, number>[] };
  generate: string;
  explain: string;
  resumedLosses: [number, number][];
  logits: { tokens: number[]; lastPositionLogits: { dial0: number[]; dial1: number[] } };
};

/** Every number in `actual` within `rtol` of `expected`, recursively; other values equal. */
function assertNear(actual: unknown, wanted: unknown, rtol: number, path = "") {
  if (typeof wanted === "number") {
    assert.equal(typeof actual, "number", path);
    const a = actual as number;
    assert.ok(
      Math.abs(a - wanted) <= rtol * Math.abs(wanted) + 1e-12,
      `${path}: ${a} vs ${wanted}`,
    );
  } else if (typeof wanted === "object" && wanted !== null) {
    for (const [key, value] of Object.entries(wanted))
      assertNear((actual as Record<string, unknown>)[key], value, rtol, `${path}.${key}`);
  } else assert.deepEqual(actual, wanted, path);
}

function json(args: string[]): Record<string, unknown> {
  const r = runCli(args);
  assert.equal(r.status, 0, r.stderr);
  const parsed = JSON.parse(r.stdout) as Record<string, unknown>;
  delete parsed.model;
  return parsed;
}

test("0.1.0 checkpoint: eval at dial 0 and at dial 1 with a linear schedule", () => {
  assertNear(json(["eval", "--model", model, "--split", "test", "--json"]), expected.eval, 1e-6);
  assertNear(
    json([
      "eval",
      "--model",
      model,
      "--split",
      "valid",
      "--dial",
      "1",
      "--schedule",
      "linear",
      "--json",
    ]),
    expected.evalDial1Linear,
    1e-6,
  );
});

test("0.1.0 checkpoint: the dial sweep", () => {
  const sweep = json([
    "sweep",
    "--model",
    model,
    "--dials",
    "0,0.5,1",
    "--windows",
    "20",
    "--inspect-windows",
    "4",
    "--json",
  ]);
  assertNear(sweep, expected.sweep, 1e-6);
});

test("0.1.0 checkpoint: greedy generation and explain print what 0.1.0 printed", () => {
  const generated = runCli([
    "generate",
    "--model",
    model,
    "--prompt",
    "the jury said",
    "--tokens",
    "12",
    "--temperature",
    "0",
    "--dial",
    "0.5",
  ]);
  assert.equal(generated.stdout.trimEnd(), expected.generate);
  const explained = runCli([
    "explain",
    "--model",
    model,
    "--text",
    "the jury said the election was conducted",
    "--dial",
    "1",
    "--layer",
    "1",
    "--head",
    "1",
  ]);
  assert.equal(explained.stdout.trimEnd(), expected.explain);
});

test("0.1.0 checkpoint: the same logits at dial 0 and 1", () => {
  const loaded = LocalistModel.open(model);
  const ids = Int32Array.from(expected.logits.tokens);
  const t = ids.length;
  for (const [lambda, wanted] of [
    [0, expected.logits.lastPositionLogits.dial0],
    [1, expected.logits.lastPositionLogits.dial1],
  ] as const) {
    const sources = loaded.hooks({ dial: loaded.dial(lambda) });
    const hooks = attachHooks(
      sources,
      hookInputs(sources, { tokens: ids, batch: 1, length: t, step: 0 }),
    );
    const logits = forward(
      tree.ref(loaded.params),
      fromHost(ids, [1, t], np.int32),
      loaded.config,
      { hooks },
    );
    finishAndDiscard(hooks);
    const last = toFloat64(logits.slice(0, t - 1));
    wanted.forEach((value, i) =>
      assert.ok(
        Math.abs(last[i] - value) <= 1e-5 * (1 + Math.abs(value)),
        `λ=${lambda}, logit ${i}: ${last[i]} vs ${value}`,
      ),
    );
  }
  loaded.dispose();
});

test("0.1.0 checkpoint: --resume continues the run with 0.1.0's losses and saves format 2", () => {
  const copy = join(mkdtempSync(join(tmpdir(), "localist-legacy-")), "model");
  cpSync(model, copy, { recursive: true });
  const r = runCli(["train", "--resume", "--out", copy]);
  assert.equal(r.status, 0, r.stderr);
  const losses = readFileSync(join(copy, "metrics.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { step: number; loss?: number; split?: string })
    .filter((record) => record.split === undefined)
    .map((record) => [record.step, record.loss]);
  assertNear(losses, expected.resumedLosses, 1e-4);
  const saved = JSON.parse(
    readFileSync(join(currentCheckpoint(copy), "config.json"), "utf8"),
  ) as Record<string, unknown>;
  assert.equal(saved.version, 2);
  assert.ok(
    !("localist" in (saved.model as object)),
    "the architecture no longer holds the dial's structure",
  );
  assert.deepEqual(Object.keys(saved).sort(), [
    "corpus",
    "format",
    "localist",
    "model",
    "step",
    "training",
    "version",
  ]);
});
