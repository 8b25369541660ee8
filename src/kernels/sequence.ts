/**
 * Kernels on token positions and labels, and the content kernel of attention.
 * Positional kernels read column 0 of queries and keys as a position (or a block id).
 */
import { checkInteger, checkPositive } from "../engine/errors.js";
import { np, type JaxArray } from "../engine/engine.js";
import { indicatorLogWeights, type LogKernel } from "./logKernel.js";

/** i − j for positions in column 0. queries: (Q, ≥1), keys: (N, ≥1) → (Q, N). */
function positionOffsets(queries: JaxArray, keys: JaxArray): JaxArray {
  const i = queries.slice([], [0, 1]); // (Q, 1)
  const j = keys.slice([], [0, 1]).reshape([1, -1]); // (1, N)
  return i.sub(j);
}

/**
 * Dot-product kernel K(q, k) = exp(q·k / τ); with τ = √d its local mean is softmax attention.
 */
export function dotProductKernel(temperature: number): LogKernel {
  checkPositive("temperature", temperature);
  return {
    name: `dot(τ=${temperature})`,
    logWeights(queries, keys) {
      return np.matmul(queries, keys.transpose()).div(temperature);
    },
  };
}

/** Which side of the query a positional window covers. */
export interface WindowOptions {
  /** Only keys at or before the query (j ≤ i). */
  causal?: boolean;
  /** With `causal`, exclude the query itself (j < i). */
  strict?: boolean;
}

/**
 * Positional window: causal keeps i − w ≤ j ≤ i (strict: i − w ≤ j < i; docs/math.md#attention-as-a-local-mean);
 * otherwise |i − j| ≤ w. Weight 1 inside, 0 (log −∞) outside.
 */
export function positionalWindowKernel(width: number, options: WindowOptions = {}): LogKernel {
  checkInteger("window width", width, 0);
  const { causal = false, strict = false } = options;
  return {
    name: `window(w=${width}${causal ? (strict ? ", strict causal" : ", causal") : ""})`,
    logWeights(queries, keys) {
      const dtype = queries.dtype;
      const offset = positionOffsets(queries, keys); // i − j
      let inside: JaxArray;
      if (causal) {
        const lowest = strict ? 1 : 0;
        inside = np.logicalAnd(np.greaterEqual(offset.ref, lowest), np.lessEqual(offset, width));
      } else {
        inside = np.lessEqual(np.absolute(offset), width);
      }
      return indicatorLogWeights(inside, dtype);
    },
  };
}

/** Distance decay K = exp(−|i − j| / σ): the conceptual dial bias of the localist demo. */
export function distanceDecayKernel(scale: number): LogKernel {
  checkPositive("decay scale σ", scale);
  return {
    name: `decay(σ=${scale})`,
    logWeights(queries, keys) {
      return np.absolute(positionOffsets(queries, keys)).div(-scale);
    },
  };
}

/** Block kernel K = 1{g(q) = g(k)} on a block id in column 0. */
export function blockKernel(): LogKernel {
  return {
    name: "block",
    logWeights(queries, keys) {
      const dtype = queries.dtype;
      const same = np.equal(queries.slice([], [0, 1]), keys.slice([], [0, 1]).reshape([1, -1]));
      return indicatorLogWeights(same, dtype);
    },
  };
}
