/**
 * A model of GPT-2-small size back in localist: 12 layers × 768 (12 heads, MLP 3,072), a word
 * vocabulary of 50,257 tokens, context 256, positional-window blocks (`--localist --blocks
 * window:32`); initialized, not trained (the costs depend on the shapes only). It is made and
 * opened through the built command line in a temporary folder, each command timed with its peak
 * resident memory (the process's maxRSS): `train --init-only`, `eval` on the valid split (a short
 * text: 5 % of the corpus), `sweep` at three dials, `check` with one rule, and the Lab's page
 * opening it in headless Chromium. The memory estimate is checked both ways: the same model with
 * context 1,024 and batch 8 is refused before any work (training), and so is `eval` at batch 8
 * (inference; batch 4 fits), each in one line.
 *
 *   npm run build && node dist/bench/large-model.bench.js [--out DIR] [--keep] [--no-lab] [--json]
 *
 * Heavy: about 1.5 GB on disk (weights and AdamW moments) and up to 3 GiB of memory; run it alone.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { launchBrowser, startLab } from "../test/helpers/lab.js";

const { values } = parseArgs({
  options: {
    out: { type: "string" },
    keep: { type: "boolean", default: false },
    "no-lab": { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
});
const VOCAB = 50_257;
const work = values.out ?? mkdtempSync(join(tmpdir(), "localist-large-"));
const model = join(work, "model");
mkdirSync(work, { recursive: true });

/**
 * A corpus whose training split holds exactly VOCAB − 2 distinct words (with <unk> and <eos>, a
 * vocabulary of VOCAB) and whose valid and test lines reuse 300 of them. splitSentenceBlocks
 * holds out the last 5 % + 5 % of each tenth of the lines; those lines get the reused words.
 */
function writeCorpus(file: string): void {
  const lines = 1000;
  const held = new Set<number>();
  for (let round = 0; round < 10; round++) for (let i = 90; i < 100; i++) held.add(round * 100 + i);
  const word = (i: number) => `w${i.toString(36)}`;
  const trainLines = lines - held.size;
  const perLine = Math.ceil((VOCAB - 2) / trainLines);
  const text: string[] = [];
  let next = 0;
  for (let line = 0; line < lines; line++) {
    if (held.has(line)) {
      text.push(Array.from({ length: 40 }, (_, k) => word((line * 7 + k * 13) % 300)).join(" "));
      continue;
    }
    const words: string[] = [];
    for (let k = 0; k < perLine && next < VOCAB - 2; k++) words.push(word(next++));
    // Every train line also carries common words, so the held-out words are frequent in train.
    for (let k = 0; k < 20; k++) words.push(word((line * 11 + k * 17) % 300));
    text.push(words.join(" "));
  }
  writeFileSync(file, `${text.join("\n")}\n`);
}

interface Measured {
  command: string;
  status: number | null;
  seconds: number;
  peakRssMiB: number;
  stdout: string;
  stderr: string;
}

// The child reports its own peak resident memory (getrusage maxrss, KiB on Linux) as it exits.
const RSS_HOOK = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\npeak-rss-kib "+process.resourceUsage().maxRSS+"\\n"))`;

function cli(args: string[]): Measured {
  const began = performance.now();
  const r = spawnSync(process.execPath, ["--import", RSS_HOOK, "bin/localist.js", ...args], {
    encoding: "utf8",
    maxBuffer: 64 * 2 ** 20,
  });
  const seconds = (performance.now() - began) / 1000;
  const rss = /peak-rss-kib (\d+)/.exec(r.stderr);
  return {
    command: `localist ${args.map((a) => (a.startsWith(work) ? a.replace(work, "$WORK") : a)).join(" ")}`,
    status: r.status,
    seconds,
    peakRssMiB: rss ? Number(rss[1]) / 1024 : NaN,
    stdout: r.stdout,
    stderr: r.stderr.replace(/\n?peak-rss-kib \d+\n$/, ""),
  };
}

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1) ?? "";
}

const corpus = join(work, "corpus.txt");
writeCorpus(corpus);
const shape = [
  "--corpus",
  corpus,
  "--vocab",
  String(VOCAB),
  "--min-count",
  "1",
  "--layers",
  "12",
  "--heads",
  "12",
  "--d-model",
  "768",
  "--localist",
  "--blocks",
  "window:32",
];
const rows: { what: string; run: Measured; result: string }[] = [];
const record = (what: string, run: Measured, result: string) => {
  rows.push({ what, run, result });
  process.stderr.write(
    `${what}: exit ${run.status}, ${run.seconds.toFixed(1)} s, ${run.peakRssMiB.toFixed(0)} MiB; ${result}\n`,
  );
};

try {
  const tooBig = cli([
    "train",
    ...shape,
    "--context",
    "1024",
    "--batch",
    "8",
    "--out",
    join(work, "too-big"),
    "--init-only",
  ]);
  record("refused: train, context 1,024, batch 8", tooBig, lastLine(tooBig.stderr));
  const made = cli([
    "train",
    ...shape,
    "--context",
    "256",
    "--batch",
    "1",
    "--out",
    model,
    "--init-only",
  ]);
  if (made.status !== 0) throw new Error(`could not make the model: ${made.stderr}`);
  const pointer = JSON.parse(readFileSync(join(model, "checkpoint.json"), "utf8")) as {
    current: string;
  };
  const config = JSON.parse(readFileSync(join(model, pointer.current, "config.json"), "utf8")) as {
    model: { vocabSize: number; layers: number; dModel: number; context: number };
  };
  record(
    "train --init-only (context 256, batch 1)",
    made,
    `vocabulary ${config.model.vocabSize}, ${config.model.layers} × ${config.model.dModel}, context ${config.model.context}`,
  );

  const refusedEval = cli(["eval", "--model", model, "--split", "valid", "--batch", "8"]);
  record("refused: eval --batch 8", refusedEval, lastLine(refusedEval.stderr));
  const evaluated = cli(["eval", "--model", model, "--split", "valid", "--batch", "4", "--json"]);
  const evalJson =
    evaluated.status === 0 ? (JSON.parse(evaluated.stdout) as Record<string, unknown>) : {};
  record(
    "eval --split valid --batch 4",
    evaluated,
    evaluated.status === 0
      ? `${JSON.stringify(evalJson).slice(0, 160)}`
      : lastLine(evaluated.stderr),
  );

  const swept = cli([
    "sweep",
    "--model",
    model,
    "--dials",
    "0,0.5,1",
    "--windows",
    "4",
    "--inspect-windows",
    "2",
    "--batch",
    "2",
  ]);
  record(
    "sweep --dials 0,0.5,1 --windows 4 --inspect-windows 2 --batch 2",
    swept,
    swept.status === 0 ? `${swept.stdout.trim().split("\n").length} lines` : lastLine(swept.stderr),
  );

  const rules = join(work, "rules.json");
  writeFileSync(
    rules,
    JSON.stringify({
      rules: [
        {
          id: "previous-four",
          query: { all: true },
          key: { previous: 4 },
          strength: 2,
          minFidelity: 0,
        },
      ],
    }),
  );
  const checked = cli([
    "check",
    "--model",
    model,
    "--rules",
    rules,
    "--split",
    "valid",
    "--windows",
    "2",
    "--json",
  ]);
  record(
    "check --windows 2 (one rule)",
    checked,
    checked.status === 0
      ? (() => {
          const report = JSON.parse(checked.stdout) as {
            rules: { id: string; rows: number; fidelity: { mean: number } }[];
          };
          const r = report.rules[0];
          return `${r.id}: ${r.rows} rows, mean fidelity ${r.fidelity.mean.toFixed(3)}`;
        })()
      : lastLine(checked.stderr),
  );

  if (!values["no-lab"]) {
    const began = performance.now();
    const lab = await startLab(["--model", model, "--port", "0"]);
    try {
      const browser = await launchBrowser();
      try {
        const page = await browser.newPage();
        const text = Array.from({ length: 64 }, (_, i) => `w${(i % 300).toString(36)}`).join(" ");
        await page.goto(`${lab.url}#${new URLSearchParams({ text, dial: "0.5" })}`);
        await page.waitForSelector("body[data-started]", { timeout: 900_000 });
        const seconds = (performance.now() - began) / 1000;
        const engine = await page.textContent("#engine");
        const heap = await page.evaluate(() => {
          const memory = (performance as { memory?: { usedJSHeapSize: number } }).memory;
          return memory ? memory.usedJSHeapSize / 2 ** 20 : NaN;
        });
        rows.push({
          what: "Lab: page opens the model, 64 tokens at λ = 0.5",
          run: {
            command: "localist lab --model $WORK/model (headless Chromium)",
            status: 0,
            seconds,
            peakRssMiB: NaN,
            stdout: "",
            stderr: "",
          },
          result: `engine ${engine}; page JS heap ${heap.toFixed(0)} MiB`,
        });
        process.stderr.write(`Lab: ${seconds.toFixed(1)} s, engine ${engine}\n`);
      } finally {
        await browser.close();
      }
    } finally {
      await lab.stop();
    }
  }

  if (values.json) console.log(JSON.stringify(rows, null, 2));
  else {
    console.log("| step | exit | seconds | peak RSS | result |");
    console.log("|---|---|---|---|---|");
    for (const { what, run, result } of rows)
      console.log(
        `| ${what} | ${run.status} | ${run.seconds.toFixed(1)} | ${Number.isNaN(run.peakRssMiB) ? "–" : `${run.peakRssMiB.toFixed(0)} MiB`} | ${result.replace(/\|/g, "\\|")} |`,
      );
  }
} finally {
  if (!values.keep && values.out === undefined) rmSync(work, { recursive: true, force: true });
}
