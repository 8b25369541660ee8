/**
 * Moving a model to the PyTorch twin (python/localist_torch) and back. Both sides read and write
 * the same run folder (checkpoint pointer, checkpoint folders with config.json, tokenizer.json and
 * safetensors weights under the names of model/params.ts), so an export is the model's current
 * checkpoint plus what the other side cannot rebuild on its own:
 *
 *   OUT/corpus.safetensors   the train, valid and test splits as int32 token ids (the tokenizer's)
 *   OUT/export.json          where it came from, and the SHA-256 of its tokenizer
 *
 * Import reads a run folder written by either side with every check of io/savedModel.ts (tensor
 * names, shapes, dtypes and values, the config's schema, the tokenizer against the vocabulary)
 * and, for a folder that was exported, that its tokenizer is still the exported one; only then is
 * anything written.
 */
import { createHash } from "node:crypto";
import { copyFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { LocalistError } from "../engine/errors.js";
import { z } from "zod";
import { parseWith } from "../engine/validate.js";
import { createFolder, writeFileAtomic } from "../io/atomicWrite.js";
import { holdsCheckpoint } from "../io/checkpoint.js";
import { readJsonFile } from "../io/json.js";
import { encodeSafetensors } from "../io/safetensors.js";
import { LocalistModel } from "./node.js";

export const EXPORT_FILE = "export.json";
export const CORPUS_FILE = "corpus.safetensors";

const EXPORT_SCHEMA = z.object({
  format: z.literal("localist-export"),
  version: z.literal(1),
  from: z.string(),
  to: z.literal("torch"),
  tokenizerSha256: z.string().regex(/^[0-9a-f]{64}$/),
});

/** The SHA-256 of a tokenizer's canonical JSON. */
function tokenizerDigest(model: LocalistModel): string {
  return createHash("sha256").update(JSON.stringify(model.tokenizer.toJSON())).digest("hex");
}

/** Opens a model with its optimizer state when it has one (so training can go on elsewhere). */
function openWithOptimizer(dir: string): LocalistModel {
  try {
    return LocalistModel.open(dir, { withOptimizer: true });
  } catch (error) {
    if (error instanceof LocalistError && /has no optimizer state/.test(error.message))
      return LocalistModel.open(dir);
    throw error;
  }
}

function refuseOccupied(out: string): void {
  if (holdsCheckpoint(out))
    throw new LocalistError(`${out} already holds a model; choose another folder`);
}

/** Exports the model in `dir` into the new run folder `out`, for the PyTorch twin. */
export function exportModel(dir: string, out: string): { step: number; tokens: number } {
  refuseOccupied(out);
  const model = openWithOptimizer(dir);
  try {
    const splits = {
      train: model.split("train"),
      valid: model.split("valid"),
      test: model.split("test"),
    };
    createFolder(out, "export folder");
    const corpus = encodeSafetensors(
      Object.fromEntries(
        (["train", "valid", "test"] as const).map((split) => [
          split,
          { dtype: "I32" as const, shape: [splits[split].length], data: splits[split] },
        ]),
      ),
      { format: "localist-corpus", corpus: model.corpus.corpus },
    );
    writeFileAtomic(join(out, CORPUS_FILE), corpus);
    model.save(out);
    writeFileAtomic(
      join(out, EXPORT_FILE),
      `${JSON.stringify(
        {
          format: "localist-export",
          version: 1,
          from: dir,
          to: "torch",
          tokenizerSha256: tokenizerDigest(model),
        },
        null,
        2,
      )}\n`,
    );
    return { step: model.step, tokens: splits.train.length };
  } finally {
    model.dispose();
  }
}

/** Imports the run (or checkpoint) folder `from`, written by either side, into the new run `out`. */
export function importModel(from: string, out: string): { step: number } {
  refuseOccupied(out);
  const model = openWithOptimizer(from);
  try {
    const exported = join(from, EXPORT_FILE);
    if (existsSync(exported)) {
      const record = parseWith(EXPORT_SCHEMA, readJsonFile(exported, "export record"), exported);
      if (record.tokenizerSha256 !== tokenizerDigest(model))
        throw new LocalistError(
          `${from}: the checkpoint's tokenizer is not the one exported with this run (${exported}); its token ids would mean other words, so it cannot be imported`,
        );
    }
    model.save(out);
    const log = join(from, "metrics.jsonl");
    if (existsSync(log)) copyFileSync(log, join(out, "metrics.jsonl"));
    return { step: model.step };
  } finally {
    model.dispose();
  }
}
