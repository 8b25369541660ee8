/**
 * AdamW (Loshchilov & Hutter 2019) as an optax-style pair: `init(params)` makes the state,
 * `update(grads, state, params)` takes one step (docs/math.md#training):
 *
 *   g ← g · min(1, c / ‖g‖)                       (global-norm clipping, c = clipNorm)
 *   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
 *   θ ← θ − η_t (m̂ / (√v̂ + ε) + λθ),   m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)
 *
 * with decoupled weight decay λ on the parameters `decays` selects. Unlike optax, `update`
 * returns the new parameters rather than the updates: applying them in the same compiled kernel
 * saves reading and writing every parameter once more per step. The learning rate η_t is a number
 * or a schedule of the update count t (./schedule.ts), passed in as a scalar so one compiled graph
 * serves every step.
 */
import { jit, np, tree, type JaxArray } from "../engine/engine.js";
import type { ParamMap } from "../model/params.js";

/** Optimizer state: the update count and per-parameter slots (AdamW: the moments m and v). */
export interface OptimizerState {
  /** t, the updates taken so far. */
  count: number;
  /** Per slot name (AdamW: "m" and "v"), one array per parameter. */
  slots: Record<string, ParamMap>;
}

/**
 * An optimizer as an optax-style pair: `init` makes a state, `update` takes one step and returns
 * the new parameters.
 */
export interface Optimizer {
  /** A fresh state for `params` (borrowed). */
  init(params: ParamMap): OptimizerState;
  /**
   * One step. Consumes grads, state and params; returns the new params and state, the learning
   * rate used, and `health` = [‖g‖ before clipping, number of non-finite new parameters], read
   * back with one transfer.
   */
  update(
    grads: ParamMap,
    state: OptimizerState,
    params: ParamMap,
  ): { params: ParamMap; state: OptimizerState; health: JaxArray; learningRate: number };
  /** Frees the compiled kernel. */
  dispose(): void;
}

/**
 * Settings of `adamw`: η, β₁, β₂, ε, the weight decay λ, which parameters decay, and the clipping
 * norm.
 */
export interface AdamWOptions {
  /** η: a number, or a schedule of the update count t (e.g. `warmupCosine`). */
  learningRate: number | ((count: number) => number);
  /** β₁, the decay of the first moment m (0.9 here). */
  beta1: number;
  /** β₂, the decay of the second moment v (0.95 here, as in GPT-2). */
  beta2: number;
  /** ε in m̂ / (√v̂ + ε). */
  epsilon: number;
  /** λ, the decoupled weight decay: θ ← θ − η λ θ on the parameters `decays` selects. */
  weightDecay: number;
  /** Which parameters weight decay applies to (by dotted name and shape). */
  decays: (name: string, shape: readonly number[]) => boolean;
  /** Clip the global gradient norm to this value (Infinity: no clipping). */
  clipNorm: number;
}

/** Frees every array of an optimizer state. */
export function disposeOptimizerState(state: OptimizerState): void {
  tree.dispose(state.slots);
}

/**
 * AdamW with global-norm clipping and decoupled weight decay on the parameters `decays` selects, as
 * an `init`/`update` pair (the formulas: this module's header and docs/math.md#training).
 */
export function adamw(options: AdamWOptions): Optimizer {
  const { beta1, beta2, epsilon, weightDecay, clipNorm, decays } = options;
  const rate =
    typeof options.learningRate === "number"
      ? () => options.learningRate as number
      : options.learningRate;
  let kernel: ReturnType<typeof compile> | undefined;

  function compile(shapes: Record<string, readonly number[]>) {
    const names = Object.keys(shapes);
    return jit(
      (
        params: ParamMap,
        grads: ParamMap,
        m: ParamMap,
        v: ParamMap,
        scalars: JaxArray, // [η, 1 − β₁ᵗ, 1 − β₂ᵗ]
      ) => {
        let squared: JaxArray | undefined;
        for (const name of names) {
          const s = np.square(grads[name].ref).sum();
          squared = squared === undefined ? s : squared.add(s);
        }
        const norm = np.sqrt(squared as JaxArray);
        const scale = Number.isFinite(clipNorm)
          ? np.minimum(np.divide(clipNorm, np.maximum(norm.ref, 1e-12)), 1)
          : np.ones([]);
        const lr = scalars.ref.slice(0);
        const correction1 = scalars.ref.slice(1);
        const correction2 = scalars.slice(2);
        const out = { params: {} as ParamMap, m: {} as ParamMap, v: {} as ParamMap };
        let nonFinite: JaxArray | undefined;
        for (const name of names) {
          const g = grads[name].mul(scale.ref);
          const m1 = m[name].mul(beta1).add(g.ref.mul(1 - beta1));
          const v1 = v[name].mul(beta2).add(np.square(g).mul(1 - beta2));
          let step = m1.ref
            .div(correction1.ref)
            .div(np.sqrt(v1.ref.div(correction2.ref)).add(epsilon));
          const p = params[name];
          if (weightDecay > 0 && decays(name, shapes[name]))
            step = step.add(p.ref.mul(weightDecay));
          const updated = p.sub(step.mul(lr.ref));
          const bad = np.logicalNot(np.isfinite(updated.ref)).astype(np.float32).sum();
          nonFinite = nonFinite === undefined ? bad : nonFinite.add(bad);
          out.params[name] = updated;
          out.m[name] = m1;
          out.v[name] = v1;
        }
        const health = np.stack([norm, nonFinite as JaxArray]); // [‖g‖, non-finite count]
        scale.dispose();
        lr.dispose();
        correction1.dispose();
        correction2.dispose();
        return { ...out, health };
      },
    );
  }

  return {
    init(params) {
      const zeros = () => tree.map((p: JaxArray) => np.zerosLike(p.ref), params) as ParamMap;
      return { count: 0, slots: { m: zeros(), v: zeros() } };
    },
    update(grads, state, params) {
      kernel ??= compile(Object.fromEntries(Object.entries(params).map(([k, p]) => [k, p.shape])));
      const t = state.count + 1;
      const learningRate = rate(state.count);
      const scalars = np.array([learningRate, 1 - Math.pow(beta1, t), 1 - Math.pow(beta2, t)]);
      const result = kernel(params, grads, state.slots.m, state.slots.v, scalars);
      return {
        params: result.params,
        state: { count: t, slots: { m: result.m, v: result.v } },
        health: result.health,
        learningRate,
      };
    },
    dispose() {
      kernel?.dispose();
    },
  };
}
