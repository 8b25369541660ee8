/**
 * Preparing a large corpus in bounded memory: writes a text file of about `--mb` MB (default 200)
 * in a temporary folder (./brownText.ts: Brown's sentences in seeded random paragraphs, so the
 * words follow English frequencies), then runs `localist
 * prepare`'s library call on it in a child process and prints MB/s and the child's peak resident
 * memory (process.resourceUsage().maxRSS), which stays flat as the corpus grows.
 *
 *   npm run build && node dist/bench/prepare.bench.js [--mb 200] [--tokenizer bpe] [--vocab 8192] [--blocks none|tagger]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { taggerLabels } from "../src/data/tokenBlocks.js";
import { prepareCorpus } from "../src/io/prepareCorpus.js";
import { writeBrownText } from "./brownText.js";

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

const tokenizer = argument("tokenizer", "bpe") as "word" | "char" | "bpe";
const vocab = Number(argument("vocab", "8192"));
const blocks = argument("blocks", "none");

if (process.argv.includes("--child")) {
  // The measured process: prepare only (the corpus generator's memory is not counted).
  const began = performance.now();
  const result = prepareCorpus({
    corpus: argument("corpus", ""),
    out: argument("out", ""),
    tokenizer,
    maxVocab: vocab,
    blocks: blocks === "tagger" ? taggerLabels() : "none",
    progress: process.stderr,
  });
  const seconds = (performance.now() - began) / 1000;
  console.log(
    JSON.stringify({
      seconds,
      bytesRead: result.bytesRead,
      tokens: result.manifest.splits,
      vocab: result.tokenizer.vocabSize,
      maxRssMiB: process.resourceUsage().maxRSS / 1024,
      cpuSeconds: (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
    }),
  );
} else {
  const megabytes = Number(argument("mb", "200"));
  const folder = mkdtempSync(join(tmpdir(), "localist-prepare-bench-"));
  try {
    const corpus = join(folder, "corpus.txt");
    const size = writeBrownText(corpus, megabytes);
    console.log(`corpus: ${(size / 1e6).toFixed(1)} MB of Brown sentences in random paragraphs`);
    const self = fileURLToPath(import.meta.url);
    const child = spawnSync(
      process.execPath,
      [
        self,
        "--child",
        "--corpus",
        corpus,
        "--out",
        join(folder, "data"),
        "--tokenizer",
        tokenizer,
        "--vocab",
        String(vocab),
        "--blocks",
        blocks,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 1 << 20 },
    );
    if (child.status !== 0) throw new Error(`prepare failed with exit ${child.status}`);
    const r = JSON.parse(child.stdout) as {
      seconds: number;
      bytesRead: number;
      tokens: Record<string, { tokens: number }>;
      vocab: number;
      maxRssMiB: number;
      cpuSeconds: number;
    };
    const total = r.tokens.train.tokens + r.tokens.valid.tokens + r.tokens.test.tokens;
    const dataBytes = ["train", "valid", "test"]
      .flatMap((s) => [`${s}.tokens.bin`])
      .reduce((sum, f) => sum + statSync(join(folder, "data", f)).size, 0);
    console.log(
      "| corpus MB | tokenizer | blocks | tokens | wall s | CPU s | MB/s of text read (wall) | MB/s (CPU) | peak RSS MiB | token files MB |",
    );
    console.log("|---|---|---|---|---|---|---|---|---|---|");
    console.log(
      `| ${(size / 1e6).toFixed(0)} | ${tokenizer} ${r.vocab} | ${blocks} | ${total} | ${r.seconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${(r.bytesRead / 1e6 / r.seconds).toFixed(2)} | ${(r.bytesRead / 1e6 / r.cpuSeconds).toFixed(2)} | ${r.maxRssMiB.toFixed(0)} | ${(dataBytes / 1e6).toFixed(1)} |`,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
