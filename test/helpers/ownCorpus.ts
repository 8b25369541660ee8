/**
 * A small localist model on the committed non-Brown text (fixtures/corpus/harbour.txt): prepared
 * with byte-level BPE (vocabulary 400) and the given blocks, then trained on the prepared folder,
 * as a user would. Shared by the command-line and Lab tests of your own corpus.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "./cli.js";
import { tinyTrainArgs } from "./tinyModel.js";

/** The folder of the committed own-corpus fixtures (harbour.txt, lexicon.json). */
export const OWN_CORPUS = fileURLToPath(new URL("../../../fixtures/corpus/", import.meta.url));

/**
 * Prepares harbour.txt into DIR/NAME-data with `blocks` (e.g. `tagger`, `lexicon:FILE`), trains
 * DIR/NAME-model on it (context `context`, `steps` steps) and returns the model folder and what
 * training printed on stderr.
 */
export function ownCorpusModel(
  dir: string,
  name: string,
  blocks: string,
  { context, steps }: { context: number; steps: number },
): { model: string; trainStderr: string } {
  const data = join(dir, `${name}-data`);
  const prepared = runCli([
    ...["prepare", "--corpus", join(OWN_CORPUS, "harbour.txt")],
    ...["--tokenizer", "bpe", "--vocab", "400", "--blocks", blocks, "--out", data, "--quiet"],
  ]);
  assert.equal(prepared.status, 0, prepared.stderr);
  const model = join(dir, `${name}-model`);
  const args = tinyTrainArgs({ dModel: 16, context, batch: 4, steps, out: model });
  const trained = runCli(["train", "--data", data, "--localist", "--threads", "1", ...args]);
  assert.equal(trained.status, 0, trained.stderr);
  return { model, trainStderr: trained.stderr };
}
