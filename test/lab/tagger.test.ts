/**
 * The Lab tags typed text with the tagger the command line uses, for a model whose blocks come
 * from it: each position's block is its own word's class in its own sentence, so the same word
 * gets two blocks in two sentences ("we book a flight": verb; "a good book": noun). The tagger is
 * loaded on demand in the page's compute worker, and the page says where the blocks came from.
 * A model trained with a lexicon's blocks carries its phrases, and the page matches them the same
 * way: a multi-word phrase takes its lexicon block where it occurs, its words elsewhere do not.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser } from "playwright-core";
import {
  LAB_MODEL,
  launchBrowser,
  screenshot,
  startLab,
  watchedPage,
  type RunningLab,
} from "../helpers/lab.js";
import { OWN_CORPUS, ownCorpusModel } from "../helpers/ownCorpus.js";

const TEXT = "we book a flight. it is a good book.";

let model: string;
let lexiconModel: string;
let lab: RunningLab;
let browser: Browser;
const errors: string[] = [];

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), "localist-lab-tagger-"));
  const size = { context: 32, steps: 10 };
  model = ownCorpusModel(dir, "tagger", "tagger", size).model;
  lexiconModel = ownCorpusModel(
    dir,
    "lexicon",
    `lexicon:${join(OWN_CORPUS, "lexicon.json")}`,
    size,
  ).model;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await lab?.stop();
});

/** The block of the token that holds each occurrence of `word` in the page's tokens. */
async function blocksOf(page: import("playwright-core").Page, word: string): Promise<string[]> {
  const tokens = await page.$$eval("#tokens span", (spans) =>
    spans.map((s) => ({
      text: s.textContent ?? "",
      block: (s as HTMLElement).dataset.block ?? "",
    })),
  );
  // Byte-level BPE tokens spell the text exactly: find each occurrence's first character.
  const text = tokens.map((t) => t.text).join("");
  const found: string[] = [];
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    let end = 0;
    const holder = tokens.find((t) => (end += t.text.length) > at);
    found.push(holder?.block ?? "");
  }
  return found;
}

test("typed text gets the tagger's blocks per occurrence: 'book' a verb, then a noun", async () => {
  lab = await startLab(["--model", model, "--port", "0"]);
  const page = await watchedPage(browser, errors);
  await page.goto(`${lab.url}#${new URLSearchParams({ text: TEXT, dial: "0.5" })}`);
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  assert.equal(await page.isHidden("#message"), true, (await page.textContent("#message")) ?? "");
  assert.match((await page.textContent("#blocks-from")) ?? "", /blocks: the tagger/);
  assert.deepEqual(await blocksOf(page, "book"), ["verb", "noun"]);
  // The next tokens are shown as the text they stand for, as the token strip shows tokens: a
  // byte-level BPE token's space is a space, not the merge table's "Ġ".
  const next = await page.$$eval("#topk li code", (codes) => codes.map((c) => c.textContent ?? ""));
  assert.equal(next.length, 8);
  assert.ok(
    next.every((token) => !/[ĠĊ]/.test(token)),
    `raw BPE spellings: ${next}`,
  );
  await screenshot(page, "lab-tagger");
  await page.close();
  assert.deepEqual(errors, [], "the page wrote errors to the console");
});

test("a model whose blocks are per word does not load the tagger, and says so", async () => {
  await lab?.stop();
  lab = await startLab(["--model", LAB_MODEL, "--port", "0"]);
  const page = await watchedPage(browser, errors);
  const loaded: string[] = [];
  page.on("request", (request) => loaded.push(request.url()));
  await page.goto(`${lab.url}#${new URLSearchParams({ text: TEXT, dial: "0.5" })}`);
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  assert.match((await page.textContent("#blocks-from")) ?? "", /blocks: each word's own block/);
  assert.deepEqual(
    loaded.filter((url) => /tokenBlocks/.test(url)),
    [],
    "the tagger's chunk is not fetched",
  );
  // The same word has the same block in both sentences here.
  const book = await blocksOf(page, "book");
  assert.equal(new Set(book).size, 1, `one block for every 'book': ${book}`);
  await page.close();
  assert.deepEqual(errors, [], "the page wrote errors to the console");
});

test("a lexicon model's phrases take their block in typed text: 'at dawn' is time, 'at' alone is not", async () => {
  await lab?.stop();
  lab = await startLab(["--model", lexiconModel, "--port", "0"]);
  const page = await watchedPage(browser, errors);
  const text = "the boats left at dawn. they looked at the sea.";
  await page.goto(`${lab.url}#${new URLSearchParams({ text, dial: "0.5" })}`);
  await page.waitForSelector("body[data-ready]", { timeout: 120_000 });
  assert.equal(await page.isHidden("#message"), true, (await page.textContent("#message")) ?? "");
  assert.match((await page.textContent("#blocks-from")) ?? "", /blocks: the model's lexicon/);
  assert.deepEqual(await blocksOf(page, " at dawn"), ["time"]);
  assert.deepEqual(await blocksOf(page, "dawn"), ["time"]);
  assert.deepEqual(await blocksOf(page, " at the"), ["preposition-conjunction"]);
  assert.deepEqual(await blocksOf(page, "sea"), ["sea"]);
  await page.close();
  assert.deepEqual(errors, [], "the page wrote errors to the console");
});
