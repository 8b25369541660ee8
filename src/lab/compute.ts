/**
 * The page's side of the compute worker (./computeWorker.ts): requests as promises. The worker is
 * a module worker, bundled by Vite from the URL below; the page is cross-origin isolated (the
 * server's COOP and COEP headers), so the worker's engine has shared memory as on the page.
 */
import type {
  AnswerMessage,
  RequestKind,
  RequestMessage,
  Requests,
  TrainProgress,
} from "./protocol.js";

export class Compute {
  readonly #worker: Worker;
  #next = 1;
  readonly #waiting = new Map<
    number,
    { resolve: (answer: never) => void; reject: (error: Error) => void }
  >();
  /** Called with each chunk of training progress. */
  onProgress: (progress: TrainProgress) => void = () => {};

  constructor() {
    this.#worker = new Worker(new URL("./computeWorker.ts", import.meta.url), { type: "module" });
    this.#worker.onmessage = (event: MessageEvent<AnswerMessage>) => {
      const message = event.data;
      if ("progress" in message) return this.onProgress(message.progress);
      const waiting = this.#waiting.get(message.id);
      if (!waiting) return;
      this.#waiting.delete(message.id);
      if ("error" in message) waiting.reject(new Error(message.error));
      else waiting.resolve(message.answer as never);
    };
    this.#worker.onerror = (event) => {
      // A worker that failed to load or threw outside a request: every waiting request fails.
      const error = new Error(`the compute worker failed: ${event.message || "it did not load"}`);
      for (const waiting of this.#waiting.values()) waiting.reject(error);
      this.#waiting.clear();
    };
  }

  /** Sends a request; resolves with its answer, or rejects with its one-line error. */
  ask<K extends RequestKind>(
    kind: K,
    ask: Requests[K]["ask"],
    transfer: Transferable[] = [],
  ): Promise<Requests[K]["answer"]> {
    const id = this.#next++;
    const message: RequestMessage<K> = { id, kind, ask };
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve: resolve as (answer: never) => void, reject });
      this.#worker.postMessage(message, transfer);
    });
  }
}
