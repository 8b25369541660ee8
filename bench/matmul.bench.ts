/**
 * Benchmark: the three matrix products of the tied output head, the largest part of a training
 * step (bench/step-profile.md), in jax-js (compiled with jit, Wasm) and in TensorFlow.js's Wasm
 * backend (XNNPACK), in GFLOP/s. It is the minimal reproduction behind docs/performance.md: with
 * X the final hidden states (N × D), E the token embedding (V × D) and G = ∂L/∂logits (N × V),
 *
 *   logits = X Eᵀ,   ∂L/∂X = G E,   ∂L/∂E = Gᵀ X      (2·N·D·V floating-point operations each)
 *
 *   npm run build && node dist/bench/matmul.bench.js [--n 1024] [--d 128] [--v 10000]
 *     [--threads 2,1] [--repeats 5]
 *
 * jax-js runs in a child process per thread count (the engine's threads are fixed per process);
 * TensorFlow.js runs on one thread (its Wasm backend has no threads in Node), each product once
 * with transposed operands passed as flags and once with them transposed beforehand (its fast
 * path; the copy is not timed). Each figure is the best of --repeats runs, reading the result.
 */
import "../src/engine/threads.js"; // before jax-js: the compute threads
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { initEngine, jit, machineCores, np, type JaxArray } from "../src/engine/engine.js";
import { lastJsonLine } from "./peer.js";

const { values } = parseArgs({
  options: {
    n: { type: "string", default: "1024" },
    d: { type: "string", default: "128" },
    v: { type: "string", default: "10000" },
    threads: { type: "string", default: `${machineCores()},1` },
    repeats: { type: "string", default: "5" },
    side: { type: "string" },
  },
});
const [n, d, v, repeats] = [values.n, values.d, values.v, values.repeats].map(Number);
const flops = 2 * n * d * v;
const PRODUCTS = ["X·Eᵀ (logits)", "G·E (∂L/∂X)", "Gᵀ·X (∂L/∂E)"] as const;

/** Deterministic values in [−0.5, 0.5). */
function filled(size: number, seed: number): Float32Array {
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = (((i * 2654435761 + seed) >>> 8) % 1000) / 1000 - 0.5;
  return out;
}

/** Best GFLOP/s of `run` (which waits for its result) over the repeats, after one warm-up. */
async function gflops(run: () => Promise<void>): Promise<number> {
  await run();
  let best = Infinity;
  for (let i = 0; i < repeats; i++) {
    const began = performance.now();
    await run();
    best = Math.min(best, performance.now() - began);
  }
  return flops / best / 1e6;
}

async function jaxSide(threads: number): Promise<number[]> {
  await initEngine({ threads });
  const x = np.array(filled(n * d, 1)).reshape([n, d]);
  const e = np.array(filled(v * d, 2)).reshape([v, d]);
  const g = np.array(filled(n * v, 3)).reshape([n, v]);
  const kernels = [
    jit((a: JaxArray, b: JaxArray) => np.matmul(a, b.transpose())),
    jit((a: JaxArray, b: JaxArray) => np.matmul(a, b)),
    jit((a: JaxArray, b: JaxArray) => np.matmul(a.transpose(), b)),
  ];
  const operands: [JaxArray, JaxArray][] = [
    [x, e],
    [g, e],
    [g, x],
  ];
  const rates: number[] = [];
  for (const [i, kernel] of kernels.entries()) {
    const [a, b] = operands[i];
    rates.push(
      await gflops(async () => {
        await kernel(a.ref, b.ref).data();
      }),
    );
  }
  return rates;
}

async function tfjsSide(): Promise<{ flags: number[]; transposed: number[] }> {
  const tf = await import("@tensorflow/tfjs");
  await import("@tensorflow/tfjs-backend-wasm");
  if (!(await tf.setBackend("wasm"))) throw new Error("TensorFlow.js's Wasm backend did not start");
  const x = tf.tensor2d(filled(n * d, 1), [n, d]);
  const e = tf.tensor2d(filled(v * d, 2), [v, d]);
  const g = tf.tensor2d(filled(n * v, 3), [n, v]);
  const [eT, gT] = [tf.transpose(e), tf.transpose(g)];
  const time = (product: () => import("@tensorflow/tfjs").Tensor) =>
    gflops(async () => {
      const out = product();
      await out.data();
      out.dispose();
    });
  return {
    flags: [
      await time(() => tf.matMul(x, e, false, true)),
      await time(() => tf.matMul(g, e)),
      await time(() => tf.matMul(g, x, true, false)),
    ],
    transposed: [
      await time(() => tf.matMul(x, eT)),
      await time(() => tf.matMul(g, e)),
      await time(() => tf.matMul(gT, x)),
    ],
  };
}

async function main(): Promise<void> {
  if (values.side !== undefined) {
    console.log(JSON.stringify(await jaxSide(Number(values.side))));
    return;
  }
  const threads = (values.threads as string).split(",").map(Number);
  const rows: [string, number[]][] = [];
  for (const count of threads) {
    const self = fileURLToPath(import.meta.url);
    const args = [self, ...process.argv.slice(2), "--side", String(count)];
    const run = spawnSync(process.execPath, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
    const rates = run.status === 0 ? lastJsonLine<number[]>(run.stdout) : undefined;
    if (!rates) throw new Error(`the jax-js side on ${count} thread(s) failed (${run.status})`);
    rows.push([`jax-js (jit, Wasm), ${count} thread(s)`, rates]);
  }
  const tfjs = await tfjsSide();
  rows.push(["TensorFlow.js (Wasm, XNNPACK), 1 thread, transpose flags", tfjs.flags]);
  rows.push(["TensorFlow.js, 1 thread, operands transposed beforehand", tfjs.transposed]);
  console.log(
    [
      `N = ${n}, D = ${d}, V = ${v}: ${(flops / 1e9).toFixed(2)} GFLOP per product, best of ${repeats}; Node ${process.version}`,
      "",
      `| engine | ${PRODUCTS.join(" | ")} |`,
      `| --- | ${PRODUCTS.map(() => "---:").join(" | ")} |`,
      ...rows.map(([name, rates]) => `| ${name} | ${rates.map((r) => r.toFixed(1)).join(" | ")} |`),
      "",
      "(GFLOP/s)",
    ].join("\n"),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
