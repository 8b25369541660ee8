/**
 * The Lab's slider-to-redraw latency in a real headless Chromium: a model like the Lab's test
 * model (2 layers × 2 heads, width 32, vocabulary 1,000) but with a context of 512, so that
 * texts of 64 and 512 tokens fit (./labModel.ts). Per size, the dial slider is moved R times and three times are
 * taken: the page's own (from the input event to the redrawn page), the wall time from the
 * slider move to the redrawn page as the test driver sees it, and the compute worker's; then one
 * head's slider of the last layer is moved R times (only that layer re-runs); then the schedule is
 * changed, which starts a sweep of 11 passes in the worker, and the dial is moved while it runs
 * (the worker answers between two passes). Medians are printed. Last, the dial is dragged with
 * the mouse for about 2 s, and the longest task on the page's thread during the drag is printed
 * (the Long Tasks API: every task of 50 ms or more; "none" when there was none), which is how long
 * input could have waited, and the longest input delay of the drag's events (the Event Timing API,
 * which reports events of 16 ms or more).
 * The engine is whatever the worker chose (Wasm here: this headless Chromium has no WebGPU).
 *
 *   npm run build && node dist/bench/lab.bench.js [--repeats 15] [--out bench-lab]
 */
import { parseArgs } from "node:util";
import { launchBrowser, startLab } from "../test/helpers/lab.js";
import { benchText, makeLabBenchModel } from "./labModel.js";

const { values } = parseArgs({
  options: {
    repeats: { type: "string", default: "15" },
    out: { type: "string", default: "bench-lab" },
  },
});
const repeats = Number(values.repeats);
const out = values.out as string;
const model = makeLabBenchModel(out);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Kept in the page from its start, for the bench to read after a drag: every long task (≥ 50 ms
 * on the page's thread, the Long Tasks API) and the input delay of every input event (from the
 * event to its handler starting, the Event Timing API; events of 16 ms or more are reported).
 */
const WATCH_THE_PAGE_THREAD = () => {
  const watched = { longTasks: [] as number[], inputDelays: [] as number[] };
  (window as unknown as { watched: typeof watched }).watched = watched;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) watched.longTasks.push(entry.duration);
  }).observe({ type: "longtask", buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as PerformanceEventTiming[])
      watched.inputDelays.push(entry.processingStart - entry.startTime);
  }).observe({ type: "event", buffered: true, durationThreshold: 16 } as PerformanceObserverInit);
};

const lab = await startLab(["--model", model, "--port", "0"]);
const browser = await launchBrowser();
try {
  const rows: string[] = [];
  for (const n of [64, 512]) {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.addInitScript(WATCH_THE_PAGE_THREAD);
    await page.goto(`${lab.url}#${new URLSearchParams({ text: benchText(n), dial: "0" })}`);
    await page.waitForSelector("body[data-started]", { timeout: 600_000 });
    const engine = await page.textContent("#engine");
    const redraws = () => page.$eval("#latency", (e) => Number((e as HTMLElement).dataset.count));
    /** Moves `slider` to `value` R times and takes the page's, the worker's and the wall times. */
    const moves = async (slider: string, value: (r: number) => number) => {
      const own: number[] = [];
      const worker: number[] = [];
      const wall: number[] = [];
      let layers = 0;
      for (let r = 0; r < repeats; r++) {
        const count = await redraws();
        const began = performance.now();
        await page.locator(slider).fill(String(value(r)));
        await page.waitForFunction(
          (c) => Number((document.querySelector("#latency") as HTMLElement).dataset.count) > c,
          count,
          { timeout: 600_000 },
        );
        wall.push(performance.now() - began);
        const data = await page.$eval("#latency", (e) => ({ ...(e as HTMLElement).dataset }));
        own.push(Number(data.ms));
        worker.push(Number(data.computeMs));
        layers = Number(data.layersRun);
      }
      return { own: median(own), worker: median(worker), wall: median(wall), layers };
    };
    const all = await moves("#dial", (r) => ((r % 10) + 1) / 10);
    await page.click("#per-head-dials summary");
    const one = await moves("#head-sliders input[data-layer='1'][data-head='1']", (r) =>
      r % 2 === 0 ? 0.9 : 0.2,
    );

    // The dial moved while a sweep runs: the schedule is changed (a redraw, then the sweep's 11
    // passes in the worker), and once its redraw is drawn the dial is moved.
    const duringSweep: number[] = [];
    for (let r = 0; r < Math.max(3, Math.ceil(repeats / 3)); r++) {
      let count = await redraws();
      const sweeps = await page.$eval("#sweep", (e) => Number((e as HTMLElement).dataset.count));
      await page.selectOption("#schedule", r % 2 === 0 ? "linear" : "uniform");
      await page.waitForFunction(
        (c) => Number((document.querySelector("#latency") as HTMLElement).dataset.count) > c,
        count,
        { timeout: 600_000 },
      );
      count = await redraws();
      const began = performance.now();
      await page.locator("#dial").fill(String(((r % 9) + 1) / 10));
      await page.waitForFunction(
        (c) => Number((document.querySelector("#latency") as HTMLElement).dataset.count) > c,
        count,
        { timeout: 600_000 },
      );
      duringSweep.push(performance.now() - began);
      // Until the sweep is drawn, so that the next round starts with the worker idle.
      await page.waitForFunction(
        (c) => Number((document.querySelector("#sweep") as HTMLElement).dataset.count) > c,
        sweeps,
        { timeout: 600_000 },
      );
    }

    // A drag of the dial with the mouse: 40 moves over about 2 s, as a person drags it.
    const box = await page.locator("#dial").boundingBox();
    if (!box) throw new Error("the dial slider is not on the page");
    type Watched = { watched: { longTasks: number[]; inputDelays: number[] } };
    await page.evaluate(() => {
      const { watched } = window as unknown as Watched;
      watched.longTasks.length = 0;
      watched.inputDelays.length = 0;
    });
    const y = box.y + box.height / 2;
    await page.mouse.move(box.x + 2, y);
    await page.mouse.down();
    for (let i = 1; i <= 40; i++) {
      await page.mouse.move(box.x + 2 + ((box.width - 4) * i) / 40, y);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await page.mouse.up();
    // Until the last answer is drawn: no redraw for a second.
    for (let last = -1, now = await redraws(); now !== last;) {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      [last, now] = [now, await redraws()];
    }
    const { longTasks, inputDelays } = await page.evaluate(
      () => (window as unknown as Watched).watched,
    );
    const longest = longTasks.length === 0 ? "none" : `${Math.max(...longTasks).toFixed(0)} ms`;
    const delay = inputDelays.length === 0 ? "none" : `${Math.max(...inputDelays).toFixed(0)} ms`;
    rows.push(
      `| ${n} | ${engine} | ${all.own.toFixed(0)} ms | ${all.wall.toFixed(0)} ms | ${all.worker.toFixed(0)} ms | ${one.wall.toFixed(0)} ms (${one.layers} of 2 layers) | ${median(duringSweep).toFixed(0)} ms | ${longest} (${longTasks.length}) | ${delay} (${inputDelays.length}) | ${repeats} |`,
    );
    await page.close();
  }
  console.log(
    "| tokens | engine | dial moved: change to redrawn page, in the page (median) | slider to redrawn page, as the driver sees it (median) | worker's compute (median) | one head of the last layer moved: slider to redrawn page (median) | dial moved while a sweep runs: slider to redrawn page (median) | longest task on the page's thread during a 2 s drag (tasks ≥ 50 ms) | longest input delay during the drag (events ≥ 16 ms) | moves |",
  );
  console.log("|---|---|---|---|---|---|---|---|---|---|");
  for (const row of rows) console.log(row);
} finally {
  await browser.close();
  await lab.stop();
}
