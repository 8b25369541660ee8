/**
 * The Locality Lab page. Plain TypeScript and the DOM, no UI library: the page is a handful of
 * inputs, tables and one canvas, and every number in it comes from the library the command line
 * uses (./analysis.ts), computed in a worker (./computeWorker.ts) so that the page's thread only
 * handles input and draws. Every failure becomes one line in the page (#message, or #rules-error
 * for the rules editor); nothing is left blank.
 */
import { dialMatrix } from "../localist/dial.js";
import { Compute } from "./compute.js";
import { droppedFiles } from "./dropFiles.js";
import { downloadSvg, downloadSvgAsPng } from "./exporting.js";
import {
  cellAt,
  cellSize,
  drawHeatmap,
  heatmapSvg,
  MAX_ROWS,
  type HeatmapData,
} from "./heatmap.js";
import {
  checkpointFromFileList,
  checkpointFromServer,
  type CheckpointRead,
} from "./modelSource.js";
import type { AnalysisView, ModelInfo, NextToken } from "./protocol.js";
import { fillComplianceTable, fillHeadTable, fixed } from "./tables.js";
import { wireTrainPanel } from "./trainPanel.js";
import { readState, writeState, type ViewState } from "./urlState.js";

const PALETTE = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#9467bd",
  "#ff7f0e",
  "#8c564b",
  "#7f7f7f",
  "#e377c2",
  "#17becf",
  "#bcbd22",
];

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the page has no #${id}`);
  return found as T;
}

const ui = {
  message: element("message"),
  engine: element("engine"),
  modelInfo: element("model-info"),
  text: element<HTMLTextAreaElement>("text"),
  windowNote: element("window-note"),
  windowText: element("window-text"),
  start: element<HTMLInputElement>("start"),
  dial: element<HTMLInputElement>("dial"),
  dialValue: element("dial-value"),
  schedule: element<HTMLSelectElement>("schedule"),
  headSliders: element("head-sliders"),
  latency: element("latency"),
  tokens: element("tokens"),
  blocksFrom: element("blocks-from"),
  legend: element("legend"),
  heads: element<HTMLTableElement>("heads"),
  overall: element("overall"),
  heatmapTitle: element("heatmap-title"),
  heatmapScroll: element("heatmap-scroll"),
  heatmapSpacer: element("heatmap-spacer"),
  heatmap: element<HTMLCanvasElement>("heatmap"),
  tooltip: element("tooltip"),
  topk: element("topk"),
  sweep: element("sweep"),
  rules: element<HTMLTextAreaElement>("rules"),
  rulesError: element("rules-error"),
  compliance: element<HTMLTableElement>("compliance"),
  files: element<HTMLInputElement>("files"),
  folder: element<HTMLInputElement>("folder"),
  drop: element("drop"),
};

const compute = new Compute();
let model: ModelInfo | undefined;
const state: ViewState = readState(location.hash);
let current: AnalysisView | undefined;
let sweepSvg = "";

/** One line in the page; the message of a library error is already written for a person. */
function showMessage(text: string): void {
  ui.message.textContent = text;
  ui.message.hidden = text === "";
}

function describe(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split("\n")[0];
}

/**
 * A probability as a percentage with three significant digits, so an untrained model's flat
 * distribution (every entry about 100/V %) still tells its entries apart.
 */
function percent(probability: number): string {
  const value = 100 * probability;
  return `${value >= 10 ? value.toFixed(1) : value.toPrecision(3)}%`;
}

/** Each block's colour, named: the legend of the token colours. */
function renderLegend(next: ModelInfo): void {
  ui.legend.replaceChildren(
    ...next.blocks.map((name) => {
      const swatch = document.createElement("i");
      swatch.style.background = blockColour(name);
      const item = document.createElement("span");
      item.append(swatch, name);
      return item;
    }),
  );
}

function blockColour(block: string): string {
  return PALETTE[Math.max(0, model?.blocks.indexOf(block) ?? 0) % PALETTE.length];
}

/** The (L, H) dial the page shows: one value per head if set, else the value under the schedule. */
function dialNow(shape: ModelInfo): number[][] {
  return (
    state.perHead?.map((row) => [...row]) ??
    dialMatrix(state.dial, state.schedule, shape.layers, shape.heads)
  );
}

function saveState(): void {
  history.replaceState(null, "", writeState(state));
}

function renderTokens(analysis: AnalysisView): void {
  ui.tokens.replaceChildren(
    ...analysis.tokens.map((token, i) => {
      const span = document.createElement("span");
      span.textContent = token.token;
      span.title = `${analysis.window.start + i}: ${token.token} (${token.block})`;
      span.style.background = blockColour(token.block);
      span.dataset.block = token.block;
      if (i === state.position) span.className = "selected";
      span.onclick = () => {
        state.position = i;
        saveState();
        renderTokens(analysis);
        void askNextTokens();
      };
      return span;
    }),
  );
}

function renderHeads(analysis: AnalysisView): void {
  fillHeadTable(ui.heads.tBodies[0], ui.overall as HTMLTableRowElement, analysis, state, (head) => {
    state.layer = head.layer;
    state.head = head.head;
    saveState();
    renderHeads(analysis);
    renderHeatmap(analysis);
  });
}

function selectedHead(analysis: AnalysisView) {
  return (
    analysis.heads.find((h) => h.layer === state.layer && h.head === state.head) ??
    analysis.heads[0]
  );
}

function heatmapData(analysis: AnalysisView): HeatmapData {
  const head = selectedHead(analysis);
  return {
    weights: head.weights,
    texts: analysis.tokens.map((t) => t.token),
    colours: analysis.tokens.map((t) => blockColour(t.block)),
  };
}

function heatmapTitle(analysis: AnalysisView): string {
  const head = selectedHead(analysis);
  return `layer ${head.layer}, head ${head.head} (${head.description}), λ = ${head.dial.toFixed(2)}`;
}

function renderHeatmap(analysis: AnalysisView): void {
  const data = heatmapData(analysis);
  const t = data.texts.length;
  ui.heatmapTitle.textContent = heatmapTitle(analysis);
  // The spacer is as tall as every row; the canvas draws only the rows in view (sticky).
  ui.heatmapSpacer.style.height = `${t * cellSize(t)}px`;
  ui.heatmapScroll.style.height = `${Math.min(t, MAX_ROWS) * cellSize(t) + 2}px`;
  drawHeatmap(ui.heatmap, data, Math.floor(ui.heatmapScroll.scrollTop / cellSize(t)));
}

function renderNextTokens(analysis: AnalysisView, top: NextToken[]): void {
  const position = analysis.position;
  const after = analysis.tokens[position].token;
  ui.topk.replaceChildren(
    ...top.map(({ token, probability }) => {
      const item = document.createElement("li");
      // The token's own text (a BPE token's leading space kept visible by the style), then its share.
      const text = document.createElement("code");
      text.textContent = token;
      item.append(text, ` ${percent(probability)}`);
      item.dataset.probability = String(probability);
      return item;
    }),
  );
  ui.topk.title = `after "${after}" (position ${analysis.window.start + position})`;
}

/** The next-token distribution at the selected position, from the worker's last pass. */
async function askNextTokens(): Promise<void> {
  if (!current) return;
  const analysis = current;
  const position = Math.min(state.position, analysis.tokens.length - 1);
  try {
    const top = await compute.ask("next", { position });
    if (current !== analysis) return;
    analysis.position = position;
    renderNextTokens(analysis, top);
  } catch (error) {
    showMessage(describe(error));
  }
}

function renderCompliance(analysis: AnalysisView): void {
  fillComplianceTable(ui.compliance.tBodies[0], analysis.compliance, model?.margin ?? 1);
}

function renderWindowNote(analysis: AnalysisView): void {
  const { total, start, length } = analysis.window;
  const t = model?.context ?? length;
  ui.windowNote.hidden = total <= t;
  ui.start.max = String(Math.max(0, total - t));
  ui.start.value = String(start);
  ui.windowText.textContent =
    total > t
      ? `The text has ${total} tokens and the model's context is ${t}: showing tokens ${start}–${start + length - 1}. Move the window with the first token.`
      : "";
}

/** Draws an analysis from the worker; `since` is when the change it answers was made. */
function render(analysis: AnalysisView, since: number): void {
  const previous = current;
  current = analysis;
  state.position = Math.min(state.position, analysis.tokens.length - 1);
  renderWindowNote(analysis);
  // A dial move leaves the tokens as they are: rebuilding hundreds of spans (and the layout that
  // follows) would be most of the page's work per move.
  const tokensKey = JSON.stringify([analysis.window.start, analysis.tokens]);
  if (!previous || tokensKey !== renderedTokens) renderTokens(analysis);
  renderedTokens = tokensKey;
  ui.blocksFrom.textContent = `blocks: ${analysis.blocksFrom}`;
  renderHeads(analysis);
  renderHeatmap(analysis);
  renderNextTokens(analysis, analysis.next);
  renderCompliance(analysis);
  showMessage("");
  const ms = performance.now() - since;
  ui.latency.textContent = `redrawn in ${ms.toFixed(0)} ms`;
  ui.latency.title = `from the change to the redrawn page; the worker computed for ${analysis.computeMs.toFixed(0)} ms and ran ${analysis.layersRun} of ${model?.layers ?? "?"} layers`;
  ui.latency.dataset.ms = String(ms);
  ui.latency.dataset.computeMs = String(analysis.computeMs);
  ui.latency.dataset.layersRun = String(analysis.layersRun);
  ui.latency.dataset.count = String(Number(ui.latency.dataset.count ?? 0) + 1);
}

/** The tokens drawn last (window start and tokens, as JSON). */
let renderedTokens = "";
let inFlight: Promise<void> | undefined;
let wanted = false;
/** When the oldest change not yet sent to the worker was made. */
let changedAt: number | undefined;

/**
 * Asks the worker for the analysis of the current text, dial and rules and draws it. One request
 * is in flight at a time; changes made meanwhile are coalesced into the next one, so a slider
 * dragged faster than the worker answers costs one pass per answer, not one per event.
 */
function refresh(): Promise<void> {
  changedAt ??= performance.now();
  wanted = true;
  inFlight ??= pump().finally(() => (inFlight = undefined));
  return inFlight;
}

async function pump(): Promise<void> {
  while (wanted && model) {
    wanted = false;
    const since = changedAt ?? performance.now();
    changedAt = undefined;
    try {
      const analysis = await compute.ask("analyse", {
        text: state.text,
        start: state.start,
        dial: dialNow(model),
        position: state.position,
      });
      render(analysis, since);
    } catch (error) {
      showMessage(describe(error));
    }
  }
}

/** The sweep of the dial over [0, 1] on the current window (entropy and fidelities against λ). */
async function renderSweep(): Promise<void> {
  if (!model) return;
  try {
    const svg = await compute.ask("sweep", {
      text: state.text,
      start: state.start,
      schedule: state.schedule,
    });
    if (svg === null) return; // abandoned for a newer sweep, which draws instead
    sweepSvg = svg;
    ui.sweep.innerHTML = sweepSvg;
    ui.sweep.dataset.count = String(Number(ui.sweep.dataset.count ?? 0) + 1); // sweeps drawn
  } catch (error) {
    showMessage(describe(error));
  }
}

function renderHeadSliders(): void {
  if (!model) return;
  const { layers, heads } = model;
  const matrix = dialNow(model);
  ui.headSliders.replaceChildren();
  for (let l = 0; l < layers; l++)
    for (let h = 0; h < heads; h++) {
      const label = document.createElement("label");
      label.textContent = `L${l} H${h} `;
      const input = document.createElement("input");
      Object.assign(input, {
        type: "range",
        min: "0",
        max: "1",
        step: "0.01",
        value: String(matrix[l][h]),
      });
      input.dataset.layer = String(l);
      input.dataset.head = String(h);
      input.oninput = () => {
        const next = dialNow(model as ModelInfo);
        next[l][h] = Number(input.value);
        state.perHead = next;
        saveState();
        void refresh();
      };
      label.append(input);
      ui.headSliders.append(label);
    }
}

/**
 * Sends the editor's rules to the worker: a malformed rules file leaves the last good rules in
 * place and says what is wrong under the editor.
 */
async function applyRulesText(): Promise<boolean> {
  if (!model) return false;
  const { error } = await compute.ask("rules", { text: state.rules });
  ui.rulesError.hidden = error === undefined;
  ui.rulesError.textContent = error ?? "";
  return error === undefined;
}

async function useModel(next: ModelInfo): Promise<void> {
  model = next;
  ui.modelInfo.textContent = `${next.name}: ${next.layers} layers × ${next.heads} heads, width ${next.dModel}, context ${next.context}, vocabulary ${next.vocabSize}, margin ${next.margin}`;
  ui.modelInfo.dataset.context = String(next.context);
  state.layer = Math.min(state.layer, next.layers - 1);
  state.head = Math.min(state.head, next.heads - 1);
  if (
    state.perHead &&
    (state.perHead.length !== next.layers || state.perHead.some((r) => r.length !== next.heads))
  )
    state.perHead = undefined;
  ui.rules.placeholder = `for example:\n${next.exampleRule}`;
  renderLegend(next);
  await applyRulesText();
  renderHeadSliders();
  await refresh();
  await renderSweep();
  document.body.dataset.ready = "true";
}

/** Opens a checkpoint's files in the worker (their bytes are transferred) and shows the model. */
async function openCheckpoint(read: CheckpointRead): Promise<void> {
  const buffers = Object.values(read.files).flatMap((bytes) => (bytes ? [bytes.buffer] : []));
  await useModel(await compute.ask("open", read, buffers as ArrayBuffer[]));
}

async function openFiles(list: readonly File[]): Promise<void> {
  try {
    await openCheckpoint(await checkpointFromFileList(list));
  } catch (error) {
    showMessage(describe(error));
  }
}

function wire(): void {
  ui.text.value = state.text;
  ui.rules.value = state.rules;
  ui.dial.value = String(state.dial);
  ui.dialValue.textContent = state.dial.toFixed(2);
  ui.schedule.value = state.schedule;
  ui.text.oninput = () => {
    state.text = ui.text.value;
    saveState();
    void refresh();
  };
  ui.text.onchange = () => void renderSweep();
  ui.start.oninput = () => {
    state.start = Math.max(0, Math.floor(Number(ui.start.value) || 0));
    saveState();
    void refresh();
  };
  ui.dial.oninput = () => {
    state.dial = Number(ui.dial.value);
    state.perHead = undefined;
    ui.dialValue.textContent = state.dial.toFixed(2);
    saveState();
    renderHeadSliders();
    void refresh();
  };
  ui.schedule.onchange = () => {
    state.schedule = ui.schedule.value as ViewState["schedule"];
    state.perHead = undefined;
    saveState();
    renderHeadSliders();
    void refresh();
    void renderSweep();
  };
  ui.rules.oninput = async () => {
    state.rules = ui.rules.value;
    try {
      if (!(await applyRulesText())) return;
      saveState();
      void refresh();
      void renderSweep();
    } catch (error) {
      showMessage(describe(error));
    }
  };
  ui.heatmapScroll.onscroll = () => current && renderHeatmap(current);
  ui.heatmap.onmousemove = (event) => {
    if (!current) return;
    const head = selectedHead(current);
    const t = current.tokens.length;
    const at = cellAt(ui.heatmap, t, event.offsetX, event.offsetY);
    if (!at) return void (ui.tooltip.hidden = true);
    const { rows } = head;
    const entropy = rows.entropy[at.row];
    const fidelity = rows.fidelity[at.row];
    ui.tooltip.textContent =
      `${current.tokens[at.row].token} → ${current.tokens[at.key].token}: weight ${head.weights[at.row * t + at.key].toFixed(3)}` +
      (Number.isNaN(entropy) ? "" : ` · row entropy ${entropy.toFixed(3)} bits`) +
      (Number.isNaN(fidelity)
        ? " · no relevant key"
        : ` · fidelity ${fidelity.toFixed(3)} · certified ≥ ${(1 - rows.leakBound[at.row]).toFixed(3)} · λ* ${fixed(rows.threshold[at.row], 2)}`);
    ui.tooltip.style.left = `${event.clientX + 12}px`;
    ui.tooltip.style.top = `${event.clientY + 12}px`;
    ui.tooltip.hidden = false;
  };
  ui.heatmap.onmouseleave = () => (ui.tooltip.hidden = true);
  const guard = (run: () => Promise<void> | void) => async () => {
    try {
      await run();
    } catch (error) {
      showMessage(describe(error));
    }
  };
  element("export-heatmap-svg").onclick = guard(
    () =>
      current &&
      downloadSvg(heatmapSvg(heatmapData(current), heatmapTitle(current)), "heatmap.svg"),
  );
  element("export-heatmap-png").onclick = guard(async () => {
    if (current)
      await downloadSvgAsPng(
        heatmapSvg(heatmapData(current), heatmapTitle(current)),
        "heatmap.png",
      );
  });
  element("export-sweep-svg").onclick = guard(() => {
    if (sweepSvg) downloadSvg(sweepSvg, "sweep.svg");
  });
  element("export-sweep-png").onclick = guard(async () => {
    if (sweepSvg) await downloadSvgAsPng(sweepSvg, "sweep.png");
  });
  ui.files.onchange = () => void openFiles(Array.from(ui.files.files ?? []));
  ui.folder.onchange = () => void openFiles(Array.from(ui.folder.files ?? []));
  document.body.ondragover = (event) => {
    event.preventDefault();
    ui.drop.classList.add("over");
  };
  document.body.ondragleave = () => ui.drop.classList.remove("over");
  document.body.ondrop = (event) => {
    event.preventDefault();
    ui.drop.classList.remove("over");
    if (event.dataTransfer)
      void droppedFiles(event.dataTransfer.items).then(openFiles, (error) =>
        showMessage(describe(error)),
      );
  };
}

async function start(): Promise<void> {
  window.addEventListener("error", (event) => showMessage(describe(event.error ?? event.message)));
  window.addEventListener("unhandledrejection", (event) => showMessage(describe(event.reason)));
  wire();
  wireTrainPanel({
    compute,
    inspect: (trained) => void useModel(trained).catch((error) => showMessage(describe(error))),
    showMessage,
  });
  try {
    const engine = new URLSearchParams(location.search).get("engine") ?? undefined;
    ui.engine.textContent = `${await compute.ask("start", engine ? { engine } : {})}, in a worker`;
  } catch (error) {
    ui.engine.textContent = "none";
    showMessage(`the engine could not start: ${describe(error)}`);
    return;
  }
  try {
    const served = await checkpointFromServer();
    if (served) await openCheckpoint({ ...served, name: "served model" });
    else
      showMessage(
        "No model is served here: drop a checkpoint folder's files on the page (config.json, tokenizer.json, model.safetensors).",
      );
  } catch (error) {
    showMessage(describe(error));
  }
  document.body.dataset.started = "true";
}

void start();
