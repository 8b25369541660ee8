/**
 * The Lab in a real headless Chromium: the numbers the page shows are the library's (the function
 * `localist sweep` uses, run here in Node), the dial moves them the right way, rules change the
 * compliance table, mistakes are one line in the page, a dropped checkpoint opens, and nothing
 * writes to the console's error stream. Screenshots go to dist/test-artifacts/.
 */
import { test, after, before } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { initEngine, LocalistModel } from "../../src/index.js";
import { labPageFolder } from "../../src/cli/lab.js";
import { startLabServer } from "../../src/cli/labServer.js";
import {
  LAB_MODEL,
  launchBrowser,
  screenshot,
  startLab,
  watchedPage,
  type RunningLab,
} from "../helpers/lab.js";

/** 32 words of the model's vocabulary: exactly one context. */
const TEXT =
  "the man said that the people of the state would work for the new school , but the president was not here in time . he said the house had a new";

interface HeadRow {
  layer: number;
  head: number;
  entropy: number;
  fidelity: number;
  certified: number;
}

let lab: RunningLab;
let browser: Browser;
let model: LocalistModel;
const errors: string[] = [];

before(async () => {
  await initEngine();
  model = LocalistModel.open(LAB_MODEL);
  lab = await startLab(["--model", LAB_MODEL, "--port", "0"]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await lab?.stop();
  model?.dispose();
});

function stateUrl(state: Record<string, string>): string {
  return `${lab.url}#${new URLSearchParams(state).toString()}`;
}

async function open(state: Record<string, string>): Promise<Page> {
  const page = await watchedPage(browser, errors);
  await page.goto(stateUrl(state));
  await page.waitForSelector("body[data-started]", { timeout: 120_000 });
  return page;
}

async function redraws(page: Page): Promise<number> {
  return page.$eval("#latency", (e) => Number((e as HTMLElement).dataset.count ?? 0));
}

/** Runs `act` and waits until the page has redrawn after it. */
async function afterRedraw(page: Page, act: () => Promise<void>): Promise<void> {
  const before = await redraws(page);
  await act();
  await page.waitForFunction(
    (n) => Number((document.querySelector("#latency") as HTMLElement).dataset.count ?? 0) > n,
    before,
  );
}

async function headRows(page: Page): Promise<HeadRow[]> {
  return page.$$eval("#heads tbody tr", (rows) =>
    rows.map((row) => {
      const value = (name: string) =>
        Number((row.querySelector(`.${name}`) as HTMLElement).dataset.value);
      const data = (row as HTMLElement).dataset;
      return {
        layer: Number(data.layer),
        head: Number(data.head),
        entropy: value("entropy"),
        fidelity: value("fidelity"),
        certified: value("certified"),
      };
    }),
  );
}

async function overall(
  page: Page,
): Promise<{ entropy: number; fidelity: number; certified: number }> {
  return page.$eval("#overall", (row) => {
    const value = (name: string) =>
      Number((row.querySelector(`.${name}`) as HTMLElement).dataset.value);
    return {
      entropy: value("entropy"),
      fidelity: value("fidelity"),
      certified: value("certified"),
    };
  });
}

function assertNoErrors(): void {
  assert.deepEqual(errors, [], "the page wrote errors to the console");
}

test("the page shows the entropy, fidelity and certified fidelity of the sweep's own measurement", async () => {
  const ids = model.encode(TEXT);
  assert.equal(ids.length, model.config.context, "the test text is one context long");
  const page = await open({ text: TEXT, dial: "0.6" });
  assert.equal(await page.textContent("#message"), "");
  assert.match((await page.textContent("#engine")) ?? "", /Wasm|WebGPU/);
  for (const dial of [0.6, 0]) {
    if (dial === 0) await afterRedraw(page, () => page.locator("#dial").fill("0"));
    const shown = await headRows(page);
    const report = model.measure(ids, model.dial(dial), { windows: 1 });
    assert.equal(shown.length, model.config.layers * model.config.heads);
    for (const row of shown) {
      const expected = report.perHead[row.layer][row.head];
      const where = `λ = ${dial}, layer ${row.layer} head ${row.head}`;
      assert.ok(
        Math.abs(row.entropy - expected.entropy) < 1e-4,
        `${where}: entropy ${row.entropy} vs ${expected.entropy}`,
      );
      assert.ok(
        Math.abs(row.fidelity - expected.fidelity) < 1e-4,
        `${where}: fidelity ${row.fidelity} vs ${expected.fidelity}`,
      );
      assert.ok(
        Math.abs(row.certified - expected.certifiedFidelity) < 1e-4,
        `${where}: certified ${row.certified} vs ${expected.certifiedFidelity}`,
      );
    }
    const all = await overall(page);
    assert.ok(
      Math.abs(all.entropy - report.overall.entropy) < 1e-4,
      `overall entropy at λ = ${dial}`,
    );
    assert.ok(
      Math.abs(all.fidelity - report.overall.fidelity) < 1e-4,
      `overall fidelity at λ = ${dial}`,
    );
    assert.ok(
      Math.abs(all.certified - report.overall.certifiedFidelity) < 1e-4,
      `overall certified at λ = ${dial}`,
    );
  }
  // Hovering a cell shows its weight and its row's values (row 20, key 2 of the selected head).
  const box = await page.locator("#heatmap").boundingBox();
  assert.ok(box);
  const cellPx = Number(await page.$eval("#heatmap", (c) => (c as HTMLCanvasElement).width)) - 90;
  const size = cellPx / 32;
  await page.hover("#heatmap", { position: { x: 90 + 2.5 * size, y: 20.5 * size } });
  const tip = (await page.textContent("#tooltip")) ?? "";
  assert.match(tip, /→ .*: weight \d\.\d{3} · row entropy \d\.\d{3} bits/);
  assert.match(tip, /fidelity \d\.\d{3} · certified ≥ \d\.\d{3} · λ\* \d\.\d{2}|no relevant key/);
  await screenshot(page, "lab-main");
  await page.close();
  assertNoErrors();
});

test("moving the dial from 0 to 1 lowers the entropy and raises the fidelities; the URL keeps the view", async () => {
  const page = await open({ text: TEXT, dial: "0", layer: "1", head: "1" });
  const at0 = await overall(page);
  await afterRedraw(page, () => page.locator("#dial").fill("1"));
  const at1 = await overall(page);
  assert.ok(at1.entropy < at0.entropy, `entropy ${at0.entropy} → ${at1.entropy}`);
  assert.ok(at1.fidelity > at0.fidelity, `fidelity ${at0.fidelity} → ${at1.fidelity}`);
  assert.ok(at1.certified > at0.certified, `certified ${at0.certified} → ${at1.certified}`);
  assert.match((await page.textContent("#latency")) ?? "", /redrawn in \d+ ms/);
  const hash = new URLSearchParams((await page.evaluate(() => location.hash)).slice(1));
  assert.equal(hash.get("dial"), "1");
  assert.equal(hash.get("layer"), "1");
  assert.equal(hash.get("head"), "1");
  assert.match((await page.textContent("#heatmap-title")) ?? "", /layer 1, head 1/);
  // A shared URL opens the same view.
  const shared = await watchedPage(browser, errors);
  await shared.goto(await page.evaluate(() => location.href));
  await shared.waitForSelector("body[data-started]");
  assert.equal(await shared.inputValue("#dial"), "1");
  assert.deepEqual(await overall(shared), at1);
  await screenshot(page, "lab-localist");
  await shared.close();

  // One dial per head: only layer 1, head 1 moves; a schedule spreads one value over the layers.
  await page.click("#per-head-dials summary");
  await afterRedraw(page, () => page.locator("#dial").fill("0"));
  await afterRedraw(page, () =>
    page.locator("#head-sliders input[data-layer='1'][data-head='1']").fill("0.8"),
  );
  const lambdas = await page.$$eval("#heads tbody tr .lambda", (cells) =>
    cells.map((c) => Number((c as HTMLElement).dataset.value)),
  );
  assert.deepEqual(lambdas, [0, 0, 0, 0.8]);
  // Only the moved head's layer (the last of two) re-ran in the worker.
  assert.equal(await page.$eval("#latency", (e) => (e as HTMLElement).dataset.layersRun), "1");
  assert.equal(
    new URLSearchParams((await page.evaluate(() => location.hash)).slice(1)).get("heads"),
    "0,0;0,0.8",
  );
  await afterRedraw(page, () => page.locator("#dial").fill("0.5"));
  await afterRedraw(page, async () => void (await page.selectOption("#schedule", "linear")));
  const scheduled = await page.$$eval("#heads tbody tr .lambda", (cells) =>
    cells.map((c) => Number((c as HTMLElement).dataset.value)),
  );
  assert.notEqual(scheduled[0], scheduled[2], `a linear schedule differs by layer: ${scheduled}`);
  await page.close();
  assertNoErrors();
});

test("a rule changes the compliance table and the heatmap; a malformed rule is an inline error", async () => {
  const page = await open({ text: TEXT, dial: "0" });
  const rule = (alpha: number) =>
    JSON.stringify({
      rules: [
        {
          id: "verbs-see-nouns",
          query: { block: "verb" },
          key: { block: "noun" },
          alpha,
          minFidelity: 0.9,
        },
      ],
    });
  const withoutRule = await headRows(page);
  await afterRedraw(page, () => page.locator("#rules").fill(rule(0.5)));
  const weak = await page.$eval(
    "#compliance tbody tr[data-rule='verbs-see-nouns'] .fidelity",
    (e) => Number((e as HTMLElement).dataset.value),
  );
  const weakVerdict = await page.textContent("#compliance tbody tr td:last-child");
  await afterRedraw(page, () => page.locator("#rules").fill(rule(0.0001)));
  const strong = await page.$eval(
    "#compliance tbody tr[data-rule='verbs-see-nouns'] .fidelity",
    (e) => Number((e as HTMLElement).dataset.value),
  );
  assert.ok(strong > weak, `a stronger rule raises its fidelity: ${weak} → ${strong}`);
  assert.equal(await page.textContent("#compliance tbody tr td:last-child"), "pass");
  assert.notEqual(weakVerdict, null);
  const withRule = await headRows(page);
  assert.ok(
    withRule.some((row, i) => Math.abs(row.entropy - withoutRule[i].entropy) > 1e-3),
    "the rule changes the attention the heads show",
  );
  await screenshot(page, "lab-rules");

  // A malformed rule: one line under the editor, the last good rules stay, the page keeps working.
  await page
    .locator("#rules")
    .fill(
      '{"rules": [{"id": "bad", "query": {"block": "nouns"}, "key": {"all": true}, "alpha": 0.1, "minFidelity": 0.5}]}',
    );
  await page.waitForSelector("#rules-error:not([hidden])");
  const message = (await page.textContent("#rules-error")) ?? "";
  assert.match(message, /rule 'bad'.*unknown block 'nouns'/);
  assert.doesNotMatch(message, /\n|at .*\.js/);
  await page.locator("#rules").fill("{ not json");
  // The rules are checked in the page's compute worker: wait for its answer to replace the
  // previous error (reading at once raced it, and once read the previous rule's line).
  await page
    .waitForFunction(
      () => /not valid JSON/.test(document.querySelector("#rules-error")?.textContent ?? ""),
      undefined,
      { timeout: 10_000 },
    )
    .catch(() => undefined); // the assertion below says what was shown instead
  assert.match((await page.textContent("#rules-error")) ?? "", /not valid JSON/);
  await afterRedraw(page, () => page.locator("#dial").fill("0.5"));
  assert.equal(await page.$$eval("#heads tbody tr", (rows) => rows.length), 4);
  assert.equal(await page.textContent("#message"), "");
  await screenshot(page, "lab-rule-error");
  await page.close();
  assertNoErrors();
});

test("a text longer than the context scrolls a window of tokens, with a message", async () => {
  const long = Array.from({ length: 5 }, () => TEXT).join(" ");
  const page = await open({ text: long, dial: "1" });
  assert.equal(await page.isVisible("#window-note"), true);
  assert.match(
    (await page.textContent("#window-text")) ?? "",
    /160 tokens and the model's context is 32: showing tokens 0–31/,
  );
  await afterRedraw(page, () => page.locator("#start").fill("100"));
  assert.match((await page.textContent("#window-text")) ?? "", /showing tokens 100–131/);
  assert.equal(await page.$$eval("#tokens span", (spans) => spans.length), 32);
  await screenshot(page, "lab-long-text");
  await page.close();
  assertNoErrors();
});

test("a dropped checkpoint opens; a truncated or mismatched one is one line in the page", async () => {
  const page = await open({ text: TEXT, dial: "0.3" });
  const folder = join(LAB_MODEL, "checkpoints", readdirSync(join(LAB_MODEL, "checkpoints"))[0]);
  const file = (name: string, buffer = readFileSync(join(folder, name))) => ({
    name,
    mimeType: "application/octet-stream",
    buffer,
  });
  const good = ["config.json", "tokenizer.json", "model.safetensors", "state.json"].map((n) =>
    file(n),
  );
  const before = await headRows(page);
  await afterRedraw(page, () => page.setInputFiles("#files", good));
  assert.match(
    (await page.textContent("#model-info")) ?? "",
    /dropped checkpoint: 2 layers × 2 heads/,
  );
  assert.deepEqual(await headRows(page), before, "the same checkpoint gives the same numbers");

  const weights = readFileSync(join(folder, "model.safetensors"));
  await page.setInputFiles("#files", [
    file("config.json"),
    file("tokenizer.json"),
    file("model.safetensors", weights.subarray(0, weights.length - 1000)),
  ]);
  await page.waitForSelector("#message:not([hidden])");
  const truncated = (await page.textContent("#message")) ?? "";
  assert.match(truncated, /model\.safetensors/);
  assert.doesNotMatch(truncated, /\n|at .*\.js/);
  await screenshot(page, "lab-truncated");

  const legacy = join(LAB_MODEL, "..", "checkpoint-0.1.0", "model");
  await page.setInputFiles("#files", [
    file("config.json"),
    file("tokenizer.json"),
    file("model.safetensors", readFileSync(join(legacy, "model.safetensors"))),
  ]);
  await page.waitForFunction(() =>
    /shape/.test(document.querySelector("#message")?.textContent ?? ""),
  );
  assert.match(
    (await page.textContent("#message")) ?? "",
    /tensor '[^']+' has shape \[[\d,]+\] but the config needs/,
  );
  // The model in use stays, and still answers the dial.
  await afterRedraw(page, () => page.locator("#dial").fill("0.9"));
  assert.equal(await page.$$eval("#heads tbody tr", (rows) => rows.length), 4);
  await page.close();
  assertNoErrors();
});

test("the heatmap and the sweep export as PNG and SVG", async () => {
  const page = await open({ text: TEXT, dial: "0.5" });
  for (const [button, name, magic] of [
    ["#export-heatmap-svg", "heatmap.svg", "<svg"],
    ["#export-heatmap-png", "heatmap.png", "\x89PNG"],
    ["#export-sweep-svg", "sweep.svg", "<svg"],
    ["#export-sweep-png", "sweep.png", "\x89PNG"],
  ]) {
    const [download] = await Promise.all([page.waitForEvent("download"), page.click(button)]);
    assert.equal(download.suggestedFilename(), name);
    const path = await download.path();
    const bytes = readFileSync(path);
    assert.equal(bytes.subarray(0, magic.length).toString("latin1"), magic, name);
    assert.ok(bytes.length > 500, `${name} has content`);
  }
  await page.close();
  assertNoErrors();
});

test("a small model trains in the page on the Brown sample, with the loss curve and sweep, then is inspected", async () => {
  const page = await open({ text: TEXT, dial: "1" });
  await page.locator("#train-steps").fill("40");
  await page.click("#train");
  await page.waitForSelector("#train-status[data-done]", { timeout: 300_000 });
  assert.match((await page.textContent("#train-status")) ?? "", /step 40 of 40, loss \d+\.\d+/);
  const losses = await page.$eval("#train-status", (e) => (e as HTMLElement).dataset);
  assert.ok(
    Number(losses.lastLoss) < Number(losses.firstLoss) - 0.5,
    `the loss falls: ${losses.firstLoss} → ${losses.lastLoss}`,
  );
  assert.equal(await page.$$eval("#train-loss svg", (svgs) => svgs.length), 1);
  assert.match((await page.textContent("#train-sweep")) ?? "", /sweep at step 40/);
  assert.match(
    (await page.textContent("#model-info")) ?? "",
    /^trained in the page: 2 layers × 2 heads/,
  );
  assert.equal(await page.$$eval("#heads tbody tr", (rows) => rows.length), 4);
  const blocks = await page.$$eval("#tokens span", (spans) =>
    spans.map((s) => (s as HTMLElement).dataset.block),
  );
  assert.ok(
    blocks.includes("noun") && blocks.includes("verb"),
    "part-of-speech blocks from the sample's tags",
  );
  await screenshot(page, "lab-trained");
  await page.close();
  assertNoErrors();
});

test("a page hosted without a model asks for one, and opens the checkpoint dropped on it", async () => {
  const empty = mkdtempSync(join(tmpdir(), "localist-no-model-"));
  const server = await startLabServer({
    page: labPageFolder(),
    model: empty,
    host: "127.0.0.1",
    port: 0,
  });
  try {
    const page = await watchedPage(browser, errors);
    await page.goto(server.url);
    await page.waitForSelector("body[data-started]");
    assert.match(
      (await page.textContent("#message")) ?? "",
      /No model is served here: drop a checkpoint/,
    );
    const folder = join(LAB_MODEL, "checkpoints", readdirSync(join(LAB_MODEL, "checkpoints"))[0]);
    await page.setInputFiles(
      "#files",
      ["config.json", "tokenizer.json", "model.safetensors"].map((name) => join(folder, name)),
    );
    await page.waitForSelector("body[data-ready]");
    assert.equal(await page.isHidden("#message"), true);
    assert.equal(await page.$$eval("#heads tbody tr", (rows) => rows.length), 4);
    await page.close();
  } finally {
    await server.close();
  }
  assertNoErrors();
});
