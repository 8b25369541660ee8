/**
 * `localist export --to torch` and `localist import --from torch`: a round trip gives the same
 * checkpoint; the corpus travels as token ids; an imported checkpoint with unknown tensor names,
 * wrong shapes or another tokenizer is refused with one line, and nothing is written.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { decodeSafetensors, encodeSafetensors } from "../../src/io/safetensors.js";
import { currentCheckpoint, runCli, tempFiles } from "../helpers/cli.js";
import { syntheticCorpus } from "../helpers/corpus.js";
import { tinyTrainArgs } from "../helpers/tinyModel.js";

const dir = tempFiles({ "corpus.txt": syntheticCorpus(120) });
const model = join(dir, "model");
const exported = join(dir, "exported");
const initial = runCli([
  "train",
  ...tinyTrainArgs({ corpus: join(dir, "corpus.txt"), steps: 20, out: model }),
  "--init-only",
  "--localist",
  "--blocks",
  "window:4",
]);

test("--init-only writes step 0; export then import gives the same checkpoint", () => {
  assert.equal(initial.status, 0, initial.stderr);
  assert.match(initial.stdout, /initial checkpoint \(step 0 of 20\) saved in/);
  const out = runCli(["export", "--model", model, "--to", "torch", exported]);
  assert.equal(out.status, 0, out.stderr);
  const corpus = decodeSafetensors(readFileSync(join(exported, "corpus.safetensors")), "corpus");
  assert.deepEqual(Object.keys(corpus.tensors).sort(), ["test", "train", "valid"]);
  assert.equal(corpus.tensors.train.dtype, "I32");
  const back = join(dir, "back");
  const r = runCli(["import", "--from", "torch", exported, "--out", back]);
  assert.equal(r.status, 0, r.stderr);
  for (const file of ["model.safetensors", "optimizer.safetensors", "tokenizer.json"])
    assert.deepEqual(
      readFileSync(join(currentCheckpoint(back), file)),
      readFileSync(join(currentCheckpoint(model), file)),
      file,
    );
  const config = (run: string) =>
    JSON.parse(readFileSync(join(currentCheckpoint(run), "config.json"), "utf8")) as unknown;
  assert.deepEqual(config(back), config(model));
  const resumed = runCli(["train", "--resume", "--out", back]);
  assert.equal(resumed.status, 0, resumed.stderr);
  assert.match(resumed.stderr, /resuming .* at step 0 of 20/);
});

/** A copy of the export with its current checkpoint's weights edited. */
function withWeights(
  name: string,
  edit: (tensors: ReturnType<typeof decodeSafetensors>["tensors"]) => void,
): string {
  const copy = join(dir, name);
  cpSync(exported, copy, { recursive: true });
  const file = join(currentCheckpoint(copy), "model.safetensors");
  const { tensors } = decodeSafetensors(readFileSync(file), file);
  edit(tensors);
  writeFileSync(file, encodeSafetensors(tensors));
  return copy;
}

function refused(from: string, pattern: RegExp): void {
  const out = join(dir, `${from.split("/").at(-1)}-imported`);
  const r = runCli(["import", "--from", "torch", from, "--out", out]);
  assert.equal(r.status, 1, r.stderr);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  assert.match(r.stderr.trim(), pattern);
  assert.ok(!existsSync(out), "nothing is written");
}

test("import refuses unknown tensor names, wrong shapes and another tokenizer, writing nothing", () => {
  const unknown = withWeights("unknown", (tensors) => {
    tensors["layers.7.wq"] = { dtype: "F32", shape: [2], data: new Float32Array(2) };
  });
  refused(
    unknown,
    /^error: checkpoint .*: tensor 'layers\.7\.wq' \(shape \[2\]\) is not part of the config's model; the checkpoint belongs to another model config$/,
  );
  const shaped = withWeights("shaped", (tensors) => {
    tensors["layers.0.w1"] = { dtype: "F32", shape: [8, 3], data: new Float32Array(24) };
  });
  refused(
    shaped,
    /^error: checkpoint .*: tensor 'layers\.0\.w1' has shape \[8,3\] but the config needs \[8,32\]; the checkpoint belongs to another model config$/,
  );
  const retokenized = join(dir, "retokenized");
  cpSync(exported, retokenized, { recursive: true });
  const file = join(currentCheckpoint(retokenized), "tokenizer.json");
  const tokenizer = JSON.parse(readFileSync(file, "utf8")) as { tokens: string[] };
  [tokenizer.tokens[2], tokenizer.tokens[3]] = [tokenizer.tokens[3], tokenizer.tokens[2]];
  writeFileSync(file, JSON.stringify(tokenizer));
  refused(
    retokenized,
    /^error: .*retokenized: the checkpoint's tokenizer is not the one exported with this run .*; its token ids would mean other words, so it cannot be imported$/,
  );
});

test("export and import need their folders, and refuse occupied ones", () => {
  const missing = runCli(["export", "--model", model, "--to", "torch"]);
  assert.equal(missing.status, 2);
  assert.equal(missing.stderr, "error: 'localist export' needs OUT (the folder to write)\n");
  const occupied = runCli(["export", "--model", model, "--to", "torch", exported]);
  assert.equal(occupied.status, 1);
  assert.match(
    occupied.stderr,
    /^error: .*exported already holds a model; choose another folder\n$/,
  );
  const format = runCli(["import", "--from", "onnx", exported, "--out", join(dir, "x")]);
  assert.equal(format.status, 2);
  assert.equal(format.stderr, "error: --from must be one of torch, got 'onnx'\n");
});
