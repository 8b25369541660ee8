/**
 * How the engine reaches the compute threads without importing them: ./threads.ts is Node-only
 * (worker_threads) and registers itself here when a Node entry point imports it before jax-js;
 * the engine, which also runs in the browser, only asks whether one is registered.
 *
 * It is also where a thread failure becomes an error. jax-js's pool waits forever on a worker
 * that is gone, and a kernel that failed on a worker leaves its output unwritten, so the engine
 * cannot answer a read once a thread has failed. ./threads.ts reports the failure here; every
 * asynchronous read the library makes goes through `guardRead`, which rejects with one
 * `ComputeThreadError` instead of hanging or returning unwritten values, and so does every read
 * after it (the pool is stopped for the rest of the process). The library never ends the process:
 * the caller decides (the command line prints the one line and exits 1).
 */
import { LocalistError } from "./errors.js";

export interface ThreadControl {
  /** The pool's size, fixed when jax-js was imported (the machine's cores). */
  poolSize: number;
  /** Chooses how many threads compute; throws in words when that cannot be. */
  use(count: number): void;
}

let registered: ThreadControl | undefined;

/** Called by ./threads.ts once it has installed the pool's `Worker` (Node entry points only). */
export function registerThreadControl(control: ThreadControl): void {
  registered = control;
}

/** The registered compute threads, or undefined where none are loaded (the browser). */
export function threadControl(): ThreadControl | undefined {
  return registered;
}

/**
 * A compute thread stopped, threw, or reported a failed kernel. The read that was waiting on it,
 * and every asynchronous read after it in this process, rejects with this error; computations
 * read synchronously (on the main thread) still work. Environment variable LOCALIST_THREADS=1
 * keeps the threads out of a process altogether.
 */
export class ComputeThreadError extends LocalistError {
  /** What happened to the thread, e.g. `a thread stopped with exit code 1`. */
  readonly reason: string;

  constructor(reason: string) {
    super(
      `a compute thread failed (${reason}); the computation stopped, and this process computes no more on threads: run it again (LOCALIST_THREADS=1 in the environment computes on the main thread alone)`,
    );
    this.reason = reason;
  }
}

let failure: ComputeThreadError | undefined;
/** The reads in flight: each one's reject, called when a thread fails. */
const inFlight = new Set<(error: ComputeThreadError) => void>();
const listeners = new Set<(error: ComputeThreadError) => void>();

/**
 * Calls `listener` once, with the error, when a compute thread fails (at once if one already
 * has). The running call rejects with the same error whether or not anyone listens; a listener is
 * for what the host application does next (log it, stop, restart the process). Returns a function
 * that removes the listener.
 */
export function onThreadFailure(listener: (error: ComputeThreadError) => void): () => void {
  if (failure) {
    listener(failure);
    return () => {};
  }
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

/** The failure of this process's compute threads, if one has failed. */
export function threadFailure(): ComputeThreadError | undefined {
  return failure;
}

/**
 * Records that a compute thread failed (the first report counts; later ones add nothing): the
 * reads in flight reject, and then the listeners hear of it.
 */
export function reportThreadFailure(reason: string): void {
  if (failure) return;
  const error = new ComputeThreadError(reason);
  failure = error;
  for (const reject of inFlight) reject(error);
  inFlight.clear();
  for (const listener of listeners) listener(error);
  listeners.clear();
}

/**
 * `read` (an asynchronous read, e.g. `() => x.data()`), unless a compute thread fails first: then
 * a rejection with the failure. Once one has failed, `read` is not started at all.
 */
export function guardRead<T>(read: () => Promise<T>): Promise<T> {
  if (failure) return Promise.reject(failure);
  return new Promise<T>((resolve, reject) => {
    inFlight.add(reject);
    read().then(
      (value) => {
        inFlight.delete(reject);
        resolve(value);
      },
      (error: unknown) => {
        inFlight.delete(reject);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
