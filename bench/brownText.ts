/**
 * A large English text for the corpus benchmarks: Brown's sentences in seeded random order, one
 * paragraph of 1–6 sentences per line followed by a blank line, so the words follow English
 * frequencies at any size. Written in 2,000-paragraph chunks, so memory stays small.
 */
import { closeSync, openSync, statSync, writeSync } from "node:fs";
import { brownSentenceWords, loadBrown } from "../src/data/brown.js";
import { seededUniform } from "../src/engine/random.js";

/** Writes about `megabytes` MB (10⁶ bytes) of paragraphs to `path`; returns its size in bytes. */
export function writeBrownText(path: string, megabytes: number, seed = 7): number {
  const sentences = brownSentenceWords(loadBrown().documents).map((w) => w.join(" "));
  const random = seededUniform(seed);
  const fd = openSync(path, "w");
  try {
    let written = 0;
    while (written < megabytes * 1e6) {
      const lines: string[] = [];
      for (let p = 0; p < 2000; p++) {
        const count = 1 + Math.floor(random() * 6);
        const paragraph = Array.from(
          { length: count },
          () => sentences[Math.floor(random() * sentences.length)],
        );
        lines.push(paragraph.join(" "), "");
      }
      const chunk = Buffer.from(`${lines.join("\n")}\n`);
      writeSync(fd, chunk);
      written += chunk.length;
    }
  } finally {
    closeSync(fd);
  }
  return statSync(path).size;
}
