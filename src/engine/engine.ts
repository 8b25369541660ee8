/**
 * The array engine: `@jax-js/jax` on its Wasm backend (runtime gaps filled by ./polyfills.ts).
 */
import "./polyfills.js";
import { init, numpy as np } from "@jax-js/jax";
import { guardRead, threadControl, threadFailure } from "./threadControl.js";

export {
  numpy as np,
  lax,
  nn,
  random,
  grad,
  jit,
  valueAndGrad,
  blockUntilReady,
  tree,
} from "@jax-js/jax";
export type { Array as JaxArray, DType } from "@jax-js/jax";

/** Copies an array's values to the host as float64 (takes ownership). */
export function toFloat64(x: np.Array): Float64Array {
  const data: ArrayLike<number> = x.dataSync();
  return Float64Array.from(data);
}

/**
 * An array's values on the host, read asynchronously (takes ownership of `x`). An asynchronous
 * read is what lets the engine run the kernels behind `x` on its compute threads; every such read
 * in the library goes through here, so that a failed thread rejects it with one
 * `ComputeThreadError` (./threadControl.ts) where jax-js alone would wait forever.
 */
export function readAsync(x: np.Array): Promise<ArrayLike<number>> {
  if (threadFailure()) x.dispose(); // never computed: the threads are stopped
  return guardRead(() => x.data() as Promise<ArrayLike<number>>);
}

/**
 * A host array as an engine array of the given dtype and shape (jax-js requires the typed array
 * to match the dtype: Float32Array for float32, Float64Array for float64). The engine copies the
 * data into its own memory at once, so a typed array of the right kind goes in as it is, without
 * a converted copy, and the caller may reuse it afterwards.
 */
export function fromHost(data: ArrayLike<number>, shape: number[], dtype: np.DType): np.Array {
  const Typed =
    dtype === np.float64 ? Float64Array : dtype === np.int32 ? Int32Array : Float32Array;
  const typed = data instanceof Typed ? data : Typed.from(data);
  return np.array(typed, { dtype }).reshape(shape);
}

/** Settings of `initEngine`. */
export interface EngineOptions {
  /**
   * Compute threads (./threads.ts): kernels whose results are read asynchronously are spread
   * over that many threads (1: one thread beside the main one; the main thread alone computes
   * only where LOCALIST_THREADS=1 keeps the pool out). Default: the machine's cores,
   * where the Node entry point loaded the threads (else 1). Fixed once threaded work has started.
   */
  threads?: number;
}

let ready: Promise<void> | undefined;
let threads = 1;

/** The threads this process may compute on: the machine's cores where threads are loaded, else 1. */
export function machineCores(): number {
  return threadControl()?.poolSize ?? 1;
}

/**
 * Starts the Wasm backend once; every entry point that touches arrays awaits it.
 * (jax-js's `init()` with no argument also probes WebGPU, which needs `navigator` and fails on Node.)
 */
export function initEngine(options: EngineOptions = {}): Promise<void> {
  const count = options.threads ?? (ready ? threads : machineCores());
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`the thread count must be a whole number ≥ 1, got ${count}`);
  const control = threadControl();
  if (control) control.use(count);
  else if (count !== 1)
    throw new Error(
      "compute threads are not loaded in this process: import 'localist' (or its engine/threads module) before anything else, or leave LOCALIST_THREADS unset",
    );
  threads = count;
  ready ??= init("wasm").then((devices) => {
    if (!devices.includes("wasm")) throw new Error("the jax-js Wasm backend could not start");
  });
  return ready;
}

/** How many threads compute (1: everything on the main thread, reads may be synchronous). */
export function engineThreads(): number {
  return threads;
}

/** The floating dtypes the classical methods accept. */
export type FloatDType = "float32" | "float64";

export function dtypeOf(name: FloatDType): np.DType {
  return name === "float64" ? np.float64 : np.float32;
}
