/**
 * Bounded memory at scale: Nadaraya–Watson with 100,000 training points and 100,000 queries in
 * 8 dimensions (10¹⁰ kernel weights), computed in query blocks; prints the time and the peak
 * resident memory, which stays at the size of one block's intermediates.
 *
 *   npm run build && node dist/bench/scale.bench.js [--train 100000] [--query 100000] [--dtype float32]
 */
import { distanceKernel } from "../src/kernels/distance.js";
import { localMean } from "../src/classical/localMean.js";
import { fromHost, initEngine, np, toFloat64 } from "../src/engine/engine.js";
import { seededUniform } from "../src/engine/random.js";

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

function uniforms(count: number, seed: number): Float64Array {
  const uniform = seededUniform(seed);
  return Float64Array.from({ length: count }, () => uniform());
}

await initEngine();
const n = Number(argument("train", "100000"));
const q = Number(argument("query", "100000"));
const d = 8;
const dtype = argument("dtype", "float32") === "float64" ? np.float64 : np.float32;
const x = uniforms(n * d, 1);
const y = Float64Array.from({ length: n }, (_, i) => Math.sin(6 * x[i * d]) + x[i * d + 1]);
const queries = uniforms(q * d, 2);
const before = process.resourceUsage().maxRSS / 1024;
const began = performance.now();
const means = toFloat64(
  localMean(
    distanceKernel("gaussian", 0.2),
    fromHost(x, [n, d], dtype),
    fromHost(y, [n, 1], dtype),
    fromHost(queries, [q, d], dtype),
  ),
);
const seconds = (performance.now() - began) / 1000;
const finite = means.every(Number.isFinite);
console.log(
  `Nadaraya–Watson ${n.toLocaleString("en")} × ${q.toLocaleString("en")} × ${d} (${dtype}): ${seconds.toFixed(1)} s, ` +
    `peak resident memory ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB (${before.toFixed(0)} MiB before the call), ` +
    `all ${q.toLocaleString("en")} means finite: ${finite}`,
);
