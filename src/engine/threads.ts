/**
 * Every core in Node. jax-js's Wasm backend spreads each kernel over a pool of Web Workers that
 * share its memory, but only where a global `Worker` exists when it is first imported, which
 * Node lacks. Importing this module before jax-js installs one on top of `worker_threads`, enough
 * for that pool: the Node entry points (src/index.ts, src/cli/main.ts) import it first. It then
 * registers itself with ./threadControl.ts, where initEngine finds it; the browser, which has
 * Workers of its own, never loads it.
 *
 * The pool is sized when jax-js is imported (one worker per core) but its workers start at its
 * first threaded kernel; by then `useComputeThreads(n)` (initEngine's `threads`) has chosen how
 * many threads to run, and the pool's workers share them round-robin (a thread answers its
 * messages in order, so replies are routed back by a queue). Each output element of a kernel is
 * computed whole by one worker, so results do not depend on the thread count.
 *
 * A kernel runs on the threads when its result is read asynchronously (`await x.data()`); a
 * synchronous read (`dataSync`) runs it on the main thread, and refuses while threaded work on
 * its inputs is pending, so code that computes on threads reads asynchronously throughout.
 *
 * jax-js's pool swallows a failed kernel and waits forever on a worker that is gone, so a thread
 * that stops, throws or reports a failed kernel is reported to ./threadControl.ts: the read
 * waiting on it rejects with one `ComputeThreadError` instead of a wrong result or a hang, and the
 * remaining threads are stopped. The process keeps running; what happens next is the caller's
 * choice (`onThreadFailure`; the command line prints the one line and exits 1).
 *
 * LOCALIST_THREADS=1 in the environment leaves `Worker` alone: the engine is then exactly
 * single-threaded, as jax-js is on Node by default.
 */
import { resolveObjectURL } from "node:buffer";
import { availableParallelism } from "node:os";
import { Worker as NodeWorker } from "node:worker_threads";
import { registerThreadControl, reportThreadFailure, threadFailure } from "./threadControl.js";

/** Runs in each thread before the pool's source: a Web Worker's globals on worker_threads. */
const BOOTSTRAP = `
const { parentPort } = require("node:worker_threads");
globalThis.self = globalThis;
globalThis.postMessage = (message) => parentPort.postMessage(message);
parentPort.once("message", ({ source }) => {
  (0, eval)(source);
  parentPort.on("message", (data) => self.onmessage && self.onmessage({ data }));
});
`;

/** Whether the pool can exist in this process (decided once, before jax-js is imported). */
export const threadsAvailable = process.env.LOCALIST_THREADS !== "1";
/** The pool's size: one worker per core. */
export const poolSize = availableParallelism();

let requested = 1;

/**
 * Sets how many threads the pool's workers run on (1 to the pool's size). Fixed once the first
 * thread starts.
 */
export function useComputeThreads(count: number): void {
  if (count === requested) return;
  if (count > 1 && !threadsAvailable)
    throw new Error(
      "compute threads are off in this process (LOCALIST_THREADS=1 in the environment); ask for 1 thread",
    );
  if (count > poolSize)
    throw new Error(
      `this machine has ${poolSize} core(s); ask for at most ${poolSize} threads, got ${count}`,
    );
  if (threads.length > 0)
    throw new Error(
      `the compute threads already started (${threads.length}); the count is fixed once they run`,
    );
  requested = count;
}

/** One worker_threads thread, shared by the pool workers assigned to it. */
class ComputeThread {
  readonly node: NodeWorker;
  /** The workers whose messages await a reply, oldest first. */
  readonly waiting: ThreadWorker[] = [];
  readonly #sourceSent: Promise<void>;
  #closing = false;

  constructor(source: Promise<string>) {
    // execArgv: [] so the bootstrap stays a script whatever flags the main thread had (e.g.
    // Node's module input type would make it a module, without require).
    const node = new NodeWorker(BOOTSTRAP, { eval: true, execArgv: [] });
    this.node = node;
    node.unref(); // only busy threads keep the process alive (see send)
    this.#sourceSent = source.then((text) => node.postMessage({ source: text }));
    node.on("message", (data: { ok?: boolean; error?: string }) => {
      const worker = this.waiting.shift();
      if (this.waiting.length === 0) node.unref();
      if (data?.ok === false) fail(`a kernel failed: ${data.error ?? "unknown error"}`);
      worker?.onmessage?.({ data });
    });
    node.on("error", (error) => fail(error.message));
    node.on("exit", (code) => {
      if (!this.#closing) fail(`a thread stopped with exit code ${code}`);
    });
  }

  /** Every message the pool posts (init, kernel, routine) is answered by one (ready, done). */
  send(from: ThreadWorker, message: unknown): void {
    // After a failure nothing more is computed on threads (its reads reject), and a message
    // that will never be answered must not hold the process open.
    if (threadFailure()) return;
    if (this.waiting.push(from) === 1) this.node.ref();
    void this.#sourceSent.then(() => this.node.postMessage(message));
  }

  close(): void {
    this.#closing = true;
    this.waiting.length = 0;
    void this.node.terminate();
  }
}

const threads: ComputeThread[] = [];

/**
 * A thread failed: the pool's results can no longer be trusted, so every thread stops (their
 * pending replies would only feed a pool that waits on the failed one) and the reads reject.
 */
function fail(reason: string): void {
  if (threadFailure()) return;
  for (const thread of threads) thread.close();
  reportThreadFailure(reason);
}

/** The running compute threads' worker_threads handles (for diagnostics and tests). */
export function computeThreads(): readonly NodeWorker[] {
  return threads.map((thread) => thread.node);
}

let created = 0;

/** The subset of the Web Worker interface that jax-js's pool uses. */
class ThreadWorker {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: { message: string }) => void) | null = null;
  readonly #thread: ComputeThread;

  constructor(url: string | URL) {
    const index = created++;
    if (index < requested) {
      const blob = resolveObjectURL(String(url));
      if (!blob) throw new Error(`no worker source behind ${String(url)}`);
      threads.push(new ComputeThread(blob.text()));
    }
    this.#thread = threads[index % threads.length];
  }

  postMessage(message: unknown): void {
    this.#thread.send(this, message);
  }

  terminate(): void {
    for (const thread of threads) thread.close();
  }
}

if (threadsAvailable) {
  const runtime = globalThis as { Worker?: unknown; navigator?: { hardwareConcurrency?: number } };
  runtime.Worker = ThreadWorker;
  // Node 20 has no navigator (Node ≥ 21 has one, with the same count); the pool reads
  // navigator.hardwareConcurrency for its size.
  runtime.navigator ??= { hardwareConcurrency: poolSize };
}
registerThreadControl({ poolSize: threadsAvailable ? poolSize : 1, use: useComputeThreads });
