/**
 * The model the Lab's benchmarks measure: 2 layers × 2 heads, width 32, vocabulary 1,000, context
 * 512 (texts of 64 and 512 tokens fit), localist with part-of-speech blocks, untrained (made with
 * `localist train --init-only`): latency depends on the shapes only. Shared by lab.bench.ts and
 * typing.bench.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";

/** Makes the model in OUT/model-512 (replacing one there) and returns its folder. */
export function makeLabBenchModel(out: string): string {
  const model = join(out, "model-512");
  rmSync(model, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const made = spawnSync(
    process.execPath,
    [
      ...["bin/localist.js", "train", "--out", model, "--vocab", "1000", "--layers", "2"],
      ...["--heads", "2", "--d-model", "32", "--context", "512", "--localist", "--blocks", "pos"],
      "--init-only",
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  if (made.status !== 0) throw new Error("could not make the benchmark model");
  return model;
}

/** Words for the benchmarks' texts, repeated to any length. */
export const BENCH_WORDS =
  "the man said that the people of the state would work for the new school , but the president was not here in time .".split(
    " ",
  );

/** A text of `n` words. */
export const benchText = (n: number): string =>
  Array.from({ length: n }, (_, i) => BENCH_WORDS[i % BENCH_WORDS.length]).join(" ");
