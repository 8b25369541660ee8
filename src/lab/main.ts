/**
 * The Locality Lab page. Plain TypeScript and the DOM, no UI library: the page is a handful of
 * inputs, tables and one canvas, and every number in it comes from the library the command line
 * uses (./analysis.ts), so the page adds no framework between the two. Every failure becomes one
 * line in the page (#message, or #rules-error for the rules editor); nothing is left blank.
 */
import { blockNames } from "../localist/blocks.js";
import type { RuleSet } from "../localist/rules.js";
import type { LocalistModel } from "../lm/localistModel.js";
import {
  analyse,
  dialOf,
  nextTokens,
  parseRulesText,
  textWindow,
  type Analysis,
  type DialState,
} from "./analysis.js";
import { droppedFiles } from "./dropFiles.js";
import { startEngine } from "./engine.js";
import { downloadSvg, downloadSvgAsPng } from "./exporting.js";
import {
  cellAt,
  cellSize,
  drawHeatmap,
  heatmapSvg,
  MAX_ROWS,
  type HeatmapData,
} from "./heatmap.js";
import { modelFromFileList, modelFromServer } from "./modelSource.js";
import { sweepChart } from "./sweepChart.js";
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

let model: LocalistModel | undefined;
const state: ViewState = readState(location.hash);
let rules: RuleSet = [];
let current: Analysis | undefined;
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
function renderLegend(next: LocalistModel): void {
  const names = blockNames(next.requireLocalist().blocks, next.config.context);
  ui.legend.replaceChildren(
    ...names.map((name) => {
      const swatch = document.createElement("i");
      swatch.style.background = blockColour(name);
      const item = document.createElement("span");
      item.append(swatch, name);
      return item;
    }),
  );
}

/** An example rule for the editor, naming one of the served model's own blocks. */
function exampleRule(next: LocalistModel): string {
  const names = blockNames(next.requireLocalist().blocks, next.config.context);
  const block = names.find((name) => name === "noun") ?? names[0];
  return JSON.stringify(
    {
      rules: [
        {
          id: `attend-to-${block}`,
          query: { all: true },
          key: { block },
          alpha: 0.01,
          minFidelity: 0.5,
        },
      ],
    },
    null,
    2,
  );
}

function blockColour(block: string): string {
  const names = model ? blockNames(model.requireLocalist().blocks, model.config.context) : [];
  return PALETTE[Math.max(0, names.indexOf(block)) % PALETTE.length];
}

function dialState(): DialState {
  return { value: state.dial, schedule: state.schedule, perHead: state.perHead };
}

function saveState(): void {
  history.replaceState(null, "", writeState(state));
}

function renderTokens(analysis: Analysis): void {
  ui.tokens.replaceChildren(
    ...analysis.explanation.tokens.map((token, i) => {
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
        renderNextTokens();
      };
      return span;
    }),
  );
}

function renderHeads(analysis: Analysis): void {
  fillHeadTable(ui.heads.tBodies[0], ui.overall as HTMLTableRowElement, analysis, state, (head) => {
    state.layer = head.layer;
    state.head = head.head;
    saveState();
    renderHeads(analysis);
    renderHeatmap(analysis);
  });
}

function selectedHead(analysis: Analysis) {
  return (
    analysis.explanation.heads.find((h) => h.layer === state.layer && h.head === state.head) ??
    analysis.explanation.heads[0]
  );
}

function heatmapData(analysis: Analysis): HeatmapData {
  const head = selectedHead(analysis);
  return {
    weights: head.weights,
    texts: analysis.explanation.tokens.map((t) => t.token),
    colours: analysis.explanation.tokens.map((t) => blockColour(t.block)),
  };
}

function heatmapTitle(analysis: Analysis): string {
  const head = selectedHead(analysis);
  return `layer ${head.layer}, head ${head.head} (${head.description}), λ = ${head.dial.toFixed(2)}`;
}

function renderHeatmap(analysis: Analysis): void {
  const data = heatmapData(analysis);
  const t = data.texts.length;
  ui.heatmapTitle.textContent = heatmapTitle(analysis);
  // The spacer is as tall as every row; the canvas draws only the rows in view (sticky).
  ui.heatmapSpacer.style.height = `${t * cellSize(t)}px`;
  ui.heatmapScroll.style.height = `${Math.min(t, MAX_ROWS) * cellSize(t) + 2}px`;
  drawHeatmap(ui.heatmap, data, Math.floor(ui.heatmapScroll.scrollTop / cellSize(t)));
}

function renderNextTokens(): void {
  if (!model || !current) return;
  const position = Math.min(state.position, current.window.ids.length - 1);
  const top = nextTokens(model, current.window, current.dial, rules, position);
  const after = current.explanation.tokens[position].token;
  ui.topk.replaceChildren(
    ...top.map(({ token, probability }) => {
      const item = document.createElement("li");
      item.textContent = `${token} ${percent(probability)}`;
      item.dataset.probability = String(probability);
      return item;
    }),
  );
  ui.topk.title = `after "${after}" (position ${current.window.start + position})`;
}

function renderCompliance(analysis: Analysis): void {
  fillComplianceTable(ui.compliance.tBodies[0], analysis.compliance, model?.localist?.margin ?? 1);
}

function renderWindowNote(analysis: Analysis): void {
  const { total, start, ids } = analysis.window;
  const t = model?.config.context ?? ids.length;
  ui.windowNote.hidden = total <= t;
  ui.start.max = String(Math.max(0, total - t));
  ui.start.value = String(start);
  ui.windowText.textContent =
    total > t
      ? `The text has ${total} tokens and the model's context is ${t}: showing tokens ${start}–${start + ids.length - 1}. Move the window with the first token.`
      : "";
}

/** Re-runs the model on the current text, dial and rules, and redraws everything. */
function refresh(): void {
  if (!model) return;
  const began = performance.now();
  try {
    const window = textWindow(model, state.text, state.start);
    current = analyse(model, window, dialOf(model, dialState()), rules);
    state.position = Math.min(state.position, window.ids.length - 1);
    renderWindowNote(current);
    renderTokens(current);
    renderHeads(current);
    renderHeatmap(current);
    renderNextTokens();
    renderCompliance(current);
    showMessage("");
  } catch (error) {
    showMessage(describe(error));
    return;
  }
  const ms = performance.now() - began;
  ui.latency.textContent = `redrawn in ${ms.toFixed(0)} ms`;
  ui.latency.dataset.ms = String(ms);
  ui.latency.dataset.count = String(Number(ui.latency.dataset.count ?? 0) + 1);
}

let pending = false;
/** Coalesces bursts of slider events into one redraw per frame. */
function scheduleRefresh(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    refresh();
  });
}

/** The sweep of the dial over [0, 1] on the current window (entropy and fidelities against λ). */
function renderSweep(): void {
  if (!model || !current) return;
  try {
    sweepSvg = sweepChart(model, current.window, {
      dials: Array.from({ length: 11 }, (_, i) => i / 10),
      schedule: state.schedule,
      rules,
      title: "this text",
    });
    ui.sweep.innerHTML = sweepSvg;
  } catch (error) {
    showMessage(describe(error));
  }
}

function renderHeadSliders(): void {
  if (!model) return;
  const { layers, heads } = model.config;
  const matrix = dialOf(model, dialState());
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
        const next = dialOf(model as LocalistModel, dialState());
        next[l][h] = Number(input.value);
        state.perHead = next;
        saveState();
        scheduleRefresh();
      };
      label.append(input);
      ui.headSliders.append(label);
    }
}

function applyRulesText(): void {
  if (!model) return;
  state.rules = ui.rules.value;
  const parsed = parseRulesText(model, state.rules);
  if (parsed.error !== undefined) {
    // A malformed rules file leaves the last good rules in place and says what is wrong.
    ui.rulesError.textContent = parsed.error;
    ui.rulesError.hidden = false;
    return;
  }
  ui.rulesError.hidden = true;
  ui.rulesError.textContent = "";
  rules = parsed.rules;
  saveState();
  refresh();
  renderSweep();
}

function useModel(next: LocalistModel, name: string): void {
  if (model) model.dispose();
  model = next;
  const { config } = next;
  ui.modelInfo.textContent = `${name}: ${config.layers} layers × ${config.heads} heads, width ${config.dModel}, context ${config.context}, vocabulary ${config.vocabSize}, margin ${next.requireLocalist().margin}`;
  ui.modelInfo.dataset.context = String(config.context);
  state.layer = Math.min(state.layer, config.layers - 1);
  state.head = Math.min(state.head, config.heads - 1);
  if (
    state.perHead &&
    (state.perHead.length !== config.layers || state.perHead.some((r) => r.length !== config.heads))
  )
    state.perHead = undefined;
  rules = [];
  ui.rules.placeholder = `for example:\n${exampleRule(next)}`;
  renderLegend(next);
  applyRulesTextQuietly();
  renderHeadSliders();
  refresh();
  renderSweep();
  document.body.dataset.ready = "true";
}

/** Rules from the state, at model load: errors shown inline as when typed. */
function applyRulesTextQuietly(): void {
  if (!model) return;
  const parsed = parseRulesText(model, state.rules);
  ui.rulesError.hidden = parsed.error === undefined;
  ui.rulesError.textContent = parsed.error ?? "";
  rules = parsed.rules ?? [];
}

async function openFiles(list: readonly File[]): Promise<void> {
  try {
    const opened = await modelFromFileList(list);
    useModel(opened, list[0].webkitRelativePath.split("/")[0] || "dropped checkpoint");
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
    scheduleRefresh();
  };
  ui.text.onchange = () => renderSweep();
  ui.start.oninput = () => {
    state.start = Math.max(0, Math.floor(Number(ui.start.value) || 0));
    saveState();
    scheduleRefresh();
  };
  ui.dial.oninput = () => {
    state.dial = Number(ui.dial.value);
    state.perHead = undefined;
    ui.dialValue.textContent = state.dial.toFixed(2);
    saveState();
    renderHeadSliders();
    scheduleRefresh();
  };
  ui.schedule.onchange = () => {
    state.schedule = ui.schedule.value as ViewState["schedule"];
    state.perHead = undefined;
    saveState();
    renderHeadSliders();
    refresh();
    renderSweep();
  };
  ui.rules.oninput = () => applyRulesText();
  ui.heatmapScroll.onscroll = () => current && renderHeatmap(current);
  ui.heatmap.onmousemove = (event) => {
    if (!current) return;
    const head = selectedHead(current);
    const t = current.window.ids.length;
    const at = cellAt(ui.heatmap, t, event.offsetX, event.offsetY);
    if (!at) return void (ui.tooltip.hidden = true);
    const row = head.rows[at.row];
    const m = row.metrics;
    ui.tooltip.textContent =
      `${row.token} → ${current.explanation.tokens[at.key].token}: weight ${head.weights[at.row * t + at.key].toFixed(3)}` +
      (m ? ` · row entropy ${m.entropy.toFixed(3)} bits` : "") +
      (m && !Number.isNaN(m.fidelity)
        ? ` · fidelity ${m.fidelity.toFixed(3)} · certified ≥ ${(1 - m.leakBound).toFixed(3)} · λ* ${fixed(row.threshold ?? NaN, 2)}`
        : " · no relevant key");
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
  wireTrainPanel({ inspect: (trained) => useModel(trained, "trained in the page"), showMessage });
  try {
    ui.engine.textContent = await startEngine(
      new URLSearchParams(location.search).get("engine") ?? undefined,
    );
  } catch (error) {
    ui.engine.textContent = "none";
    showMessage(`the engine could not start: ${describe(error)}`);
    return;
  }
  try {
    const served = await modelFromServer();
    if (served) useModel(served, "served model");
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
