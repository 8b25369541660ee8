/**
 * Looking inside the model: its attention weights and content scores on real token windows, as
 * dense (T × T) host matrices per layer and head (local heads expanded from the chunked block
 * layout), with any attention hooks in place. One more hook does the capturing.
 *
 * Shapes: B batch, T positions, H heads (local heads first, as in the model).
 */
import { fromHost, np, toFloat64, tree, type JaxArray } from "../engine/engine.js";
import { denseLocalWeights } from "../attention/causal.js";
import { localHeadCount, localWindow, type ModelConfig } from "./config.js";
import { compileForward } from "./compile.js";
import {
  combineHooks,
  attachHooks,
  finishAndDiscard,
  hookInputs,
  type AttentionHooks,
  type HookInputs,
  type HookSource,
  type LayerAttention,
} from "./hooks.js";
import type { ParamMap } from "./params.js";
import { embedTokens, forwardFromEmbeddings, forwardFromLayer } from "./transformer.js";

/** Dense attention of one batch of windows. */
export interface AttentionMaps {
  /** B, the windows. */
  batch: number;
  /** T, the positions per window. */
  length: number;
  /** [layer][head] → (B·T·T) weights a_ij, row-major. */
  weights: Float64Array[][];
  /** [layer][head] → (B·T·T) content scores c_ij = q_i·k_j/√E. */
  scores: Float64Array[][];
  /** (B·T) 1 where a key is visible beyond the window of local heads (anchors), when any is. */
  visible?: Float64Array;
}

/** Is key m visible to query n in head h (causal mask; local heads also the window)? */
export function allowedKey(config: ModelConfig, head: number, n: number, m: number): boolean {
  if (config.strict ? m >= n : m > n) return false;
  if (head < localHeadCount(config)) return n - m <= localWindow(config);
  return true;
}

/** Whether key m is visible to query n of window b in head h, anchors beyond the window included. */
export function keyAllowed(
  maps: Pick<AttentionMaps, "length" | "visible">,
  config: ModelConfig,
  head: number,
  b: number,
  n: number,
  m: number,
): boolean {
  if (allowedKey(config, head, n, m)) return true;
  return (
    maps.visible !== undefined &&
    head < localHeadCount(config) &&
    m < n - localWindow(config) &&
    maps.visible[b * maps.length + m] === 1
  );
}

/** A hook that keeps a borrowed copy of every layer's weights and scores. */
function captureHook(captured: LayerAttention[]): AttentionHooks {
  return {
    observesScores: true,
    observe(layer, attention) {
      const keep = (group: LayerAttention["global"]) =>
        group && {
          weights: group.weights.ref,
          scores: group.scores?.ref,
          far: group.far && { weights: group.far.weights.ref, scores: group.far.scores?.ref },
        };
      captured[layer] = {
        global: keep(attention.global),
        local: keep(attention.local),
        visible: attention.visible?.ref,
      };
    },
  };
}

/** Writes the far part (B, Hl, nb, W, T) of local heads, keys m < n − W, into dense (B, Hl, T, T) maps. */
function addFar(
  dense: Float64Array,
  far: Float64Array,
  shape: { batch: number; heads: number; t: number; window: number },
): void {
  const { batch, heads, t, window: w } = shape;
  const nb = Math.ceil(t / w);
  for (let bh = 0; bh < batch * heads; bh++)
    for (let n = 0; n < t; n++) {
      const from = (bh * nb * w + n) * t;
      const to = (bh * t + n) * t;
      for (let m = 0; m < n - w; m++) dense[to + m] = far[from + m]; // the local part is masked there
    }
}

/** Where a pass of `attentionMaps` starts, and what it keeps besides the maps. */
export interface MapsPass {
  /**
   * Start at `layer` from the residual stream (B, T, D) entering it, kept from an earlier pass on
   * the same tokens (consumed); the maps of earlier layers are then left empty.
   */
  from?: { layer: number; input: JaxArray };
  /** Keep the residual stream entering each layer run (`inputs` of the result, owned by the caller). */
  keepInputs?: boolean;
  /** Keep the logits, (B·T·V) on the host. */
  logits?: boolean;
  /** Run the pass compiled (its hook sources replace `sources`); see {@link CompiledMapsPass}. */
  compiled?: CompiledMapsPass;
}

/** What one traced pass returns: arrays only (the shape a compiled function may return). */
export interface MapsPassArrays {
  logits: JaxArray;
  /** The attention of layers from, …, L − 1. */
  layers: LayerAttention[];
  /** x_ℓ entering layers from, …, L − 1. */
  inputs: JaxArray[];
}

/** The same object without its undefined entries (a compiled function returns arrays only). */
function arraysOnly<T>(value: T): T {
  if (Array.isArray(value)) return value.map(arraysOnly) as T;
  if (value && typeof value === "object" && value.constructor === Object)
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, arraysOnly(v)]),
    ) as T;
  return value;
}

type TracedPass = (params: ParamMap, start: JaxArray, hookArrays: HookInputs[]) => MapsPassArrays;

/**
 * One pass from layer `from` (token ids (B, T) int32 when 0, else x_from (B, T, D)) with the hook
 * sources attached to their arrays and every layer's attention captured. Consumes its arguments.
 */
function tracedPass(config: ModelConfig, sources: readonly HookSource[], from: number): TracedPass {
  return (params, start, hookArrays) => {
    const captured: LayerAttention[] = [];
    const inputs: JaxArray[] = [];
    const hooks = combineHooks([attachHooks(sources, hookArrays), captureHook(captured)]);
    const options = { hooks, onLayerInput: (_: number, x: JaxArray) => void inputs.push(x.ref) };
    const logits =
      from > 0
        ? forwardFromLayer(params, start, from, config, options)
        : forwardFromEmbeddings(
            params,
            embedTokens(params.tokenEmbedding.ref, start),
            config,
            options,
          );
    finishAndDiscard(hooks);
    return arraysOnly({ logits, layers: captured.slice(from), inputs });
  };
}

/**
 * The inspecting pass compiled (jit) once per starting layer, for a caller that runs it again and
 * again with the same hook sources and shapes (the Lab's explain session): a compiled pass fuses
 * the model's small operations into a few kernels, ten times faster than op by op at 64 tokens
 * here. Configurations whose forward pass runs op by op (model/compile.ts) run op by op here too.
 * The hook sources read what changes between passes (the dial) when they make their inputs.
 */
export class CompiledMapsPass {
  readonly sources: readonly HookSource[];
  readonly #config: ModelConfig;
  readonly #passes = new Map<number, TracedPass & { dispose(): void }>();

  constructor(config: ModelConfig, sources: readonly HookSource[]) {
    this.#config = config;
    this.sources = sources;
  }

  /** The pass from layer `from`; consumes its arguments. */
  run(from: number, params: ParamMap, start: JaxArray, hookArrays: HookInputs[]): MapsPassArrays {
    let pass = this.#passes.get(from);
    if (!pass) {
      // The traced pass returns a tree of arrays (MapsPassArrays), which is what jit returns.
      const traced = tracedPass(this.#config, this.sources, from) as unknown as Parameters<
        typeof compileForward
      >[0];
      pass = compileForward(traced, this.#config) as unknown as TracedPass & { dispose(): void };
      this.#passes.set(from, pass);
    }
    return pass(params, start, hookArrays);
  }

  /** Frees the compiled programs. */
  dispose(): void {
    for (const pass of this.#passes.values()) pass.dispose();
    this.#passes.clear();
  }
}

/**
 * Runs the model on token windows (B·T ids) with `sources`' hooks and returns the dense maps
 * (`weights[l]` and `scores[l]` empty for layers a resumed pass did not run). Borrows params.
 */
export function attentionMaps(
  params: ParamMap,
  config: ModelConfig,
  tokens: Int32Array,
  batch: number,
  sources: readonly HookSource[] = [],
  /** The block of every position (blocks per occurrence), for hooks that read blocks. */
  blocks?: ArrayLike<number>,
  pass: MapsPass = {},
): AttentionMaps & { logits?: Float32Array; inputs?: JaxArray[] } {
  const t = tokens.length / batch;
  const used = pass.compiled?.sources ?? sources;
  const hookArrays = hookInputs(used, {
    tokens,
    batch,
    length: t,
    step: 0,
    ...(blocks ? { blocks: Int32Array.from(blocks) } : {}),
  });
  const from = pass.from?.layer ?? 0;
  const start = pass.from?.input ?? fromHost(tokens, [batch, t], np.int32);
  const result = pass.compiled
    ? pass.compiled.run(from, tree.ref(params), start, hookArrays)
    : tracedPass(config, used, from)(tree.ref(params), start, hookArrays);
  const { logits } = result;
  const captured: LayerAttention[] = [];
  result.layers.forEach((layer, i) => (captured[from + i] = layer));
  const local = localHeadCount(config);
  const global = config.heads - local;
  const window = localWindow(config);
  /** (B, count, ·) device array → one (B·T·T) host array per head. Takes ownership. */
  const perHead = (
    x: JaxArray | undefined,
    count: number,
    isLocal: boolean,
    far?: JaxArray,
  ): Float64Array[] => {
    if (!x) return [];
    const host = toFloat64(x);
    const dense = isLocal
      ? denseLocalWeights(host, { batch, heads: count, length: t, window })
      : host; // (B, count, T, T)
    if (far) addFar(dense, toFloat64(far), { batch, heads: count, t, window });
    return Array.from({ length: count }, (_, h) => {
      const out = new Float64Array(batch * t * t);
      for (let b = 0; b < batch; b++)
        out.set(dense.subarray((b * count + h) * t * t, (b * count + h + 1) * t * t), b * t * t);
      return out;
    });
  };
  const maps: AttentionMaps & { logits?: Float32Array; inputs?: JaxArray[] } = {
    batch,
    length: t,
    weights: [],
    scores: [],
  };
  if (pass.logits) maps.logits = Float32Array.from(logits.dataSync() as ArrayLike<number>);
  else logits.dispose();
  if (pass.keepInputs) maps.inputs = result.inputs;
  else for (const x of result.inputs) x.dispose();
  for (let l = 0; l < from; l++) {
    maps.weights.push([]);
    maps.scores.push([]);
  }
  captured.forEach((layer) => {
    maps.weights.push([
      ...perHead(layer.local?.weights, local, true, layer.local?.far?.weights),
      ...perHead(layer.global?.weights, global, false),
    ]);
    maps.scores.push([
      ...perHead(layer.local?.scores, local, true, layer.local?.far?.scores),
      ...perHead(layer.global?.scores, global, false),
    ]);
    if (layer.visible) {
      const flags = toFloat64(layer.visible);
      maps.visible ??= flags; // the same flags in every layer
    }
  });
  return maps;
}
