/**
 * How the engine reaches the compute threads without importing them: ./threads.ts is Node-only
 * (worker_threads) and registers itself here when a Node entry point imports it before jax-js;
 * the engine, which also runs in the browser, only asks whether one is registered.
 */
export interface ThreadControl {
  /** The pool's size, fixed when jax-js was imported (the machine's cores). */
  poolSize: number;
  /** Chooses how many threads compute; throws in words when that cannot be. */
  use(count: number): void;
}

let registered: ThreadControl | undefined;

export function registerThreadControl(control: ThreadControl): void {
  registered = control;
}

export function threadControl(): ThreadControl | undefined {
  return registered;
}
