/**
 * The Lab's slider-to-redraw latency in a real headless Chromium: a model like the Lab's test
 * model (2 layers × 2 heads, width 32, vocabulary 1,000) but with a context of 512, so that
 * texts of 64 and 512 tokens fit; the dial slider is moved R times per size and two times are
 * taken: the page's own (forward pass + metrics + redraw, from the input event) and the wall
 * time from the slider move to the redrawn page, as the test driver sees it. Medians are printed.
 * The engine is whatever the page chose (Wasm here: this headless Chromium has no WebGPU).
 *
 *   npm run build && node dist/bench/lab.bench.js [--repeats 15] [--out bench-lab]
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { launchBrowser, startLab } from "../test/helpers/lab.js";

const { values } = parseArgs({
  options: {
    repeats: { type: "string", default: "15" },
    out: { type: "string", default: "bench-lab" },
  },
});
const repeats = Number(values.repeats);
const out = values.out as string;
const model = join(out, "model-512");
rmSync(model, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
// An untrained model has the same cost as a trained one: latency depends on the shapes only.
const made = spawnSync(
  process.execPath,
  [
    "bin/localist.js",
    "train",
    "--out",
    model,
    "--vocab",
    "1000",
    "--layers",
    "2",
    "--heads",
    "2",
    "--d-model",
    "32",
    "--context",
    "512",
    "--localist",
    "--blocks",
    "pos",
    "--init-only",
  ],
  { stdio: ["ignore", "ignore", "inherit"] },
);
if (made.status !== 0) throw new Error("could not make the benchmark model");

const WORDS =
  "the man said that the people of the state would work for the new school , but the president was not here in time .".split(
    " ",
  );
const text = (n: number) => Array.from({ length: n }, (_, i) => WORDS[i % WORDS.length]).join(" ");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const lab = await startLab(["--model", model, "--port", "0"]);
const browser = await launchBrowser();
try {
  const rows: string[] = [];
  for (const n of [64, 512]) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${lab.url}#${new URLSearchParams({ text: text(n), dial: "0" })}`);
    await page.waitForSelector("body[data-started]", { timeout: 600_000 });
    const engine = await page.textContent("#engine");
    const own: number[] = [];
    const wall: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const count = await page.$eval("#latency", (e) => Number((e as HTMLElement).dataset.count));
      const began = performance.now();
      await page.locator("#dial").fill(String(((r % 10) + 1) / 10));
      await page.waitForFunction(
        (c) => Number((document.querySelector("#latency") as HTMLElement).dataset.count) > c,
        count,
        { timeout: 600_000 },
      );
      wall.push(performance.now() - began);
      own.push(await page.$eval("#latency", (e) => Number((e as HTMLElement).dataset.ms)));
    }
    rows.push(
      `| ${n} | ${engine} | ${median(own).toFixed(0)} ms | ${median(wall).toFixed(0)} ms | ${repeats} |`,
    );
    await page.close();
  }
  console.log(
    "| tokens | engine | page: forward + metrics + redraw (median) | slider to redrawn page (median) | moves |",
  );
  console.log("|---|---|---|---|---|");
  for (const row of rows) console.log(row);
} finally {
  await browser.close();
  await lab.stop();
}
