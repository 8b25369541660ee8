/**
 * One window explained again and again as the dial moves (the Lab's sliders). A pass keeps the
 * residual stream x_ℓ entering every layer, the attention maps and the explained heads; the next
 * dial re-runs the model only from the first layer whose dial changed, since layers before it see
 * the same tokens, blocks, rules and dial and so compute the same x_ℓ. Moving one head's dial in
 * layer ℓ of an L-layer model runs L − ℓ layers instead of L. The pass from each starting layer is
 * compiled once (model/inspect.ts `CompiledMapsPass`), with a dial hook that reads the dial of the
 * pass being run, so a new dial is a new argument, not a new program.
 *
 * A session runs its window padded to a multiple of 32 (`paddedLength`), so that a new window of
 * a length near one seen before needs no new compilation, and reports the window's positions only.
 *
 * Shapes: T positions of the window, D width, V vocabulary.
 */
import type { JaxArray } from "../engine/engine.js";
import type { ExplainedHead, Explanation } from "../localist/explain.js";
import { explainMaps } from "../localist/explain.js";
import { firstPositions, localistMaps, type LocalistMaps } from "../localist/inspect.js";
import { CompiledMapsPass } from "../model/inspect.js";
import type { RuleSet } from "../localist/rules.js";
import type { LocalistEntry } from "../localist/structure.js";
import type { ModelConfig } from "../model/config.js";
import type { HookSource } from "../model/hooks.js";
import type { ParamMap } from "../model/params.js";
import type { HookSettings } from "./hooks.js";

/** What a session uses of the model object (./localistModel.ts), which creates sessions. */
export interface SessionModel {
  readonly config: Readonly<ModelConfig>;
  readonly params: ParamMap;
  requireLocalist(): Readonly<LocalistEntry>;
  hooks(settings: HookSettings): HookSource[];
}

/** What a session explains: one window of ids, their display texts and, optionally, blocks. */
export interface SessionWindow {
  /** (T) token ids, at most the context. */
  ids: Int32Array;
  /** The token strings shown for the ids. */
  texts: readonly string[];
  /** (T) the block of every position, when blocks are per occurrence (the tagger's). */
  blocks?: Uint8Array;
}

/** Settings fixed for the session's life (a change of any of them is a new session). */
export interface SessionSettings {
  /** Rules in place. */
  rules?: RuleSet;
  /** Keys listed per row (default 3). */
  top?: number;
  /** δ of the dial threshold λ* (default 0.05). */
  delta?: number;
}

/** One pass of a session. */
export interface SessionPass {
  explanation: Explanation;
  /** (T·V) the logits of every position (borrowed: the session keeps them until the next pass). */
  logits: Float32Array;
  /** Layers the pass ran: L for the first pass, L − ℓ after a change first in layer ℓ, 0 for none. */
  layersRun: number;
}

/**
 * The length a session runs a window of T tokens at: T rounded up to a multiple of 32, at most the
 * context C. The engine compiles a pass per length, and typed text changes T at nearly every
 * word; a multiple of 32 seen before is compiled already (bench/typing.bench.ts: a typed word cost
 * the Lab's worker 145 ms at 399 words before, 58–82 ms after). Positions after the window change
 * nothing in it (attention is causal), and the session reports the first T only.
 */
export function paddedLength(t: number, context: number): number {
  return Math.min(context, Math.ceil(t / 32) * 32);
}

/** `values` followed by copies of its last element, `length` in all. */
function padWithLast<A extends Int32Array | Uint8Array>(values: A, length: number): A {
  if (values.length === length) return values;
  const out = new (values.constructor as new (n: number) => A)(length);
  out.set(values);
  out.fill(values[values.length - 1], values.length);
  return out;
}

/** The first layer whose row differs between two (L, H) dials; `rows` when none does. */
export function firstChangedLayer(before: number[][], after: number[][], rows: number): number {
  for (let l = 0; l < rows; l++) if (before[l].some((value, h) => value !== after[l][h])) return l;
  return rows;
}

/** See the file comment. Create with `LocalistModel.explainSession`; dispose when done. */
export class ExplainSession {
  readonly #model: SessionModel;
  readonly #window: SessionWindow;
  readonly #settings: Required<SessionSettings>;
  /** x_ℓ (1, T, D) entering layer ℓ in the last pass, owned. */
  readonly #inputs: (JaxArray | undefined)[] = [];
  #maps?: LocalistMaps;
  #heads: ExplainedHead[][] = [];
  #last?: SessionPass & { dial: number[][] };
  /** The dial of the pass being run: the dial hook reads it when it makes its inputs. */
  #dial: number[][];
  /** The pass compiled once per starting layer, with hooks that read `#dial`. */
  readonly #compiled: CompiledMapsPass;
  /** The window's ids and blocks padded to `paddedLength` (see there). */
  readonly #padded: { ids: Int32Array; blocks?: Uint8Array };

  constructor(model: SessionModel, window: SessionWindow, settings: SessionSettings = {}) {
    model.requireLocalist();
    this.#model = model;
    this.#window = window;
    this.#settings = { rules: [], top: 3, delta: 0.05, ...settings };
    this.#dial = [];
    const sources = model.hooks({ dial: () => this.#dial, rules: this.#settings.rules });
    this.#compiled = new CompiledMapsPass(model.config, sources);
    const t = paddedLength(window.ids.length, model.config.context);
    this.#padded = {
      ids: padWithLast(window.ids, t),
      ...(window.blocks ? { blocks: padWithLast(window.blocks, t) } : {}),
    };
  }

  /** Explains the window at `dial`, re-running only the layers from the first whose dial changed. */
  explain(dial: number[][]): SessionPass {
    const model = this.#model;
    const { config } = model;
    const structure = model.requireLocalist();
    const from = this.#last ? firstChangedLayer(this.#last.dial, dial, config.layers) : 0;
    if (this.#last && from === config.layers) {
      const { explanation, logits } = this.#last;
      return { explanation, logits, layersRun: 0 };
    }
    const { texts } = this.#window;
    const { ids, blocks } = this.#padded;
    const { rules } = this.#settings;
    const input = from > 0 ? this.#inputs[from] : undefined;
    this.#dial = dial;
    const padded = localistMaps(
      model.params,
      config,
      structure,
      ids,
      1,
      { sources: this.#compiled.sources, rules, ...(blocks ? { blocks } : {}) },
      {
        ...(input ? { from: { layer: from, input: input.ref } } : {}),
        logits: true,
        keepInputs: true,
        compiled: this.#compiled,
      },
    );
    const t = this.#window.ids.length;
    const maps = { ...firstPositions(padded, t), inputs: padded.inputs };
    const logits = (padded.logits as Float32Array).subarray(0, t * config.vocabSize);
    (maps.inputs ?? []).forEach((x, i) => {
      this.#inputs[from + i]?.dispose();
      this.#inputs[from + i] = x;
    });
    if (this.#maps && from > 0)
      for (let l = from; l < config.layers; l++) {
        this.#maps.weights[l] = maps.weights[l];
        this.#maps.scores[l] = maps.scores[l];
      }
    else this.#maps = maps;
    const layers = Array.from({ length: config.layers - from }, (_, i) => from + i);
    const fresh = explainMaps(this.#maps, config, structure, texts, {
      ...this.#settings,
      dial,
      layers,
    });
    for (const l of layers) this.#heads[l] = fresh.heads.filter((head) => head.layer === l);
    const explanation: Explanation = { ...fresh, heads: this.#heads.flat() };
    this.#last = {
      explanation,
      logits,
      layersRun: layers.length,
      dial: dial.map((row) => [...row]),
    };
    return { explanation, logits: this.#last.logits, layersRun: layers.length };
  }

  /** Frees the kept residual streams; the session is unusable afterwards. */
  dispose(): void {
    this.#compiled.dispose();
    for (const x of this.#inputs) x?.dispose();
    this.#inputs.length = 0;
    this.#maps = undefined;
    this.#last = undefined;
  }
}

/**
 * The k most likely next tokens after `position` from a pass's (T·V) logits, V = `v`: softmax of
 * that row, largest first, each with its id and its text as `decode` writes it (a byte-level BPE
 * token as the text it stands for, " from", not its merge-table spelling "Ġfrom").
 */
export function topNextTokens(
  logits: Float32Array,
  decode: (ids: ArrayLike<number>) => string[],
  v: number,
  position: number,
  k = 8,
): NextToken[] {
  const row = Float64Array.from(logits.subarray(position * v, position * v + v));
  let top = -Infinity;
  for (const x of row) top = Math.max(top, x);
  const weights = row.map((x) => Math.exp(x - top));
  const sum = weights.reduce((a, b) => a + b, 0);
  // The k largest in one pass (the Lab asks on every redraw; V may be 50,000): `best` stays
  // sorted, largest first, and an id joins after those equal to it, so ties keep id order.
  const best: number[] = [];
  for (let id = 0; id < v; id++) {
    if (best.length === k && weights[id] <= weights[best[k - 1]]) continue;
    let at = best.length;
    while (at > 0 && weights[best[at - 1]] < weights[id]) at--;
    best.splice(at, 0, id);
    if (best.length > k) best.pop();
  }
  const texts = decode(best);
  return best.map((id, i) => ({ id, token: texts[i], probability: weights[id] / sum }));
}

/** One of the most likely next tokens: its id, its text, and its probability. */
export interface NextToken {
  id: number;
  token: string;
  probability: number;
}
