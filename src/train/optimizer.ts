/**
 * AdamW (Loshchilov & Hutter 2019) as a pure init/update pair over flat parameter maps, with
 * global-norm gradient clipping computed in-graph (no host round trip):
 *
 *   g ← g · min(1, c / ‖g‖)
 *   m ← β₁m + (1 − β₁)g,   v ← β₂v + (1 − β₂)g²
 *   θ ← θ − η (m̂ / (√v̂ + ε) + λθ),   m̂ = m / (1 − β₁ᵗ), v̂ = v / (1 − β₂ᵗ)
 *
 * Weight decay λ applies to matrices only (not to LayerNorm parameters, biases or the position
 * table), as in GPT-2 training.
 */
import { jit, np, type JaxArray } from "../engine/engine.js";

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
  /** Clip the global gradient norm to this value (Infinity: no clipping). */
  clipNorm: number;
}

export const DEFAULT_ADAMW: AdamWOptions = {
  beta1: 0.9,
  beta2: 0.95,
  epsilon: 1e-8,
  weightDecay: 0.1,
  clipNorm: 1.0,
};

export type ParamMap = Record<string, JaxArray>;

export interface AdamWState {
  m: ParamMap;
  v: ParamMap;
  /** Updates applied so far. */
  step: number;
}

/** Whether a parameter (by dotted name) gets weight decay: 2-D weight matrices only. */
export function decays(name: string, shape: readonly number[]): boolean {
  return shape.length === 2 && name !== "positionEmbedding";
}

export function initAdamW(params: ParamMap): AdamWState {
  const zeros = (p: JaxArray) => np.zerosLike(p.ref);
  return {
    m: Object.fromEntries(Object.entries(params).map(([k, p]) => [k, zeros(p)])),
    v: Object.fromEntries(Object.entries(params).map(([k, p]) => [k, zeros(p)])),
    step: 0,
  };
}

export interface AdamWUpdate {
  params: ParamMap;
  state: AdamWState;
  /** The global gradient norm before clipping, a scalar array. */
  gradNorm: JaxArray;
}

/**
 * Builds the update function for a fixed set of parameter names and options. The returned
 * function takes ownership of params, grads and state, and takes the learning rate and bias
 * corrections as scalar arrays so one compiled graph serves every step.
 */
export function makeAdamWUpdate(
  shapes: Record<string, readonly number[]>,
  options: AdamWOptions = DEFAULT_ADAMW,
): (params: ParamMap, grads: ParamMap, state: AdamWState, learningRate: number) => AdamWUpdate {
  const names = Object.keys(shapes);
  const { beta1, beta2, epsilon, weightDecay, clipNorm } = options;
  const kernel = jit(
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
      const out: { params: ParamMap; m: ParamMap; v: ParamMap; norm: JaxArray } = {
        params: {},
        m: {},
        v: {},
        norm,
      };
      for (const name of names) {
        const g = grads[name].mul(scale.ref);
        const m1 = m[name].mul(beta1).add(g.ref.mul(1 - beta1));
        const v1 = v[name].mul(beta2).add(np.square(g).mul(1 - beta2));
        let step = m1.ref
          .div(correction1.ref)
          .div(np.sqrt(v1.ref.div(correction2.ref)).add(epsilon));
        const p = params[name];
        if (weightDecay > 0 && decays(name, shapes[name])) step = step.add(p.ref.mul(weightDecay));
        out.params[name] = p.sub(step.mul(lr.ref));
        out.m[name] = m1;
        out.v[name] = v1;
      }
      scale.dispose();
      lr.dispose();
      correction1.dispose();
      correction2.dispose();
      return out;
    },
  );
  return (params, grads, state, learningRate) => {
    const t = state.step + 1;
    const scalars = np.array([learningRate, 1 - Math.pow(beta1, t), 1 - Math.pow(beta2, t)]);
    const result = kernel(params, grads, state.m, state.v, scalars);
    return {
      params: result.params,
      state: { m: result.m, v: result.v, step: t },
      gradNorm: result.norm,
    };
  };
}

/** Linear warm-up to `peak` over `warmup` steps, then cosine decay to `peak · floor` at `total`. */
export function learningRateAt(
  step: number,
  schedule: { peak: number; warmup: number; total: number; floor?: number },
): number {
  const { peak, warmup, total, floor = 0.1 } = schedule;
  if (step < warmup) return (peak * (step + 1)) / warmup;
  const progress = Math.min(1, (step - warmup) / Math.max(1, total - warmup));
  return peak * (floor + (1 - floor) * 0.5 * (1 + Math.cos(Math.PI * progress)));
}
