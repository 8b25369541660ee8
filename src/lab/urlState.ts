/** The view in the URL (after #), so a view can be shared: text, dial, rules, selected head. */
import { SCHEDULES, type Schedule } from "../localist/dial.js";

export interface ViewState {
  text: string;
  dial: number;
  schedule: Schedule;
  perHead?: number[][];
  rules: string;
  layer: number;
  head: number;
  /** Query position for the next-token distribution. */
  position: number;
  /** First token of the analysed window of a long text. */
  start: number;
}

export const DEFAULT_TEXT =
  "the man said that the people of the state would work for the new school , but the president was not here in time .";

export function defaultState(): ViewState {
  return {
    text: DEFAULT_TEXT,
    dial: 0,
    schedule: "uniform",
    rules: "",
    layer: 0,
    head: 0,
    position: Number.MAX_SAFE_INTEGER,
    start: 0,
  };
}

/** The state in a URL hash; anything missing or malformed keeps its default. */
export function readState(hash: string): ViewState {
  const state = defaultState();
  const params = new URLSearchParams(hash.replace(/^#/, ""));
  const number = (name: string, min: number, max: number) => {
    const value = Number(params.get(name));
    return params.has(name) && Number.isFinite(value)
      ? Math.max(min, Math.min(max, value))
      : undefined;
  };
  state.text = params.get("text") ?? state.text;
  state.rules = params.get("rules") ?? state.rules;
  state.dial = number("dial", 0, 1) ?? state.dial;
  const schedule = params.get("schedule");
  if (schedule && (SCHEDULES as readonly string[]).includes(schedule))
    state.schedule = schedule as Schedule;
  state.layer = Math.floor(number("layer", 0, 1e6) ?? 0);
  state.head = Math.floor(number("head", 0, 1e6) ?? 0);
  state.position = Math.floor(number("position", 0, 1e9) ?? state.position);
  state.start = Math.floor(number("start", 0, 1e9) ?? 0);
  const perHead = params.get("heads");
  if (perHead) {
    const rows = perHead.split(";").map((row) => row.split(",").map(Number));
    if (rows.every((row) => row.every((v) => Number.isFinite(v) && v >= 0 && v <= 1)))
      state.perHead = rows;
  }
  return state;
}

/** The URL hash of a state. */
export function writeState(state: ViewState): string {
  const params = new URLSearchParams();
  params.set("text", state.text);
  params.set("dial", String(state.dial));
  params.set("schedule", state.schedule);
  if (state.perHead) params.set("heads", state.perHead.map((row) => row.join(",")).join(";"));
  if (state.rules.trim() !== "") params.set("rules", state.rules);
  params.set("layer", String(state.layer));
  params.set("head", String(state.head));
  params.set("position", String(state.position));
  if (state.start > 0) params.set("start", String(state.start));
  return `#${params.toString()}`;
}
