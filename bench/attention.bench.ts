/**
 * Attention cost against sequence length, one head of width 64, batch 1:
 *   local  W-local causal attention in blocks (O(T·W))
 *   tiled  global causal attention with the online softmax over (512, 512) tiles (O(T²) time,
 *          O(T·512) memory forward)
 *   dense  global causal attention with the whole (T, T) matrix
 * in two modes: `forward` (op by op, as evaluation runs past one tile) and `train` (the forward
 * and the gradients for q, k and v, compiled with jit, as a training step runs).
 *
 *   npm run build && node dist/bench/attention.bench.js [--lengths 1024,...,65536] [--window 64]
 *       [--modes forward,train] [--kinds local,tiled,dense]
 *
 * Each (mode, kind, length) runs in a fresh child process, so its peak resident memory is its
 * own. Times are the best of 2 after one warm-up (from T = 16,384 up, one run that includes
 * compilation), waiting for the values. A run that exceeds jax-js's 4 GiB Wasm memory is reported as such. The exponent of a
 * curve is the least-squares slope of log time against log T.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { grad, initEngine, jit, random, toFloat64, type JaxArray } from "../src/engine/engine.js";
import { globalCausalAttention, localCausalAttention } from "../src/attention/causal.js";

type Kind = "local" | "tiled" | "dense";
type Mode = "forward" | "train";

interface Measurement {
  mode: Mode;
  kind: Kind;
  length: number;
  milliseconds?: number;
  peakMiB?: number;
  failure?: string;
}

function attention(kind: Kind, window: number) {
  return (q: JaxArray, k: JaxArray, v: JaxArray) =>
    kind === "local"
      ? localCausalAttention(q, k, v, { window, strict: false }).output
      : globalCausalAttention(q, k, v, { strict: false, tiled: kind === "tiled" }).output;
}

async function measureOne(mode: Mode, kind: Kind, length: number, window: number) {
  await initEngine();
  const shape = [1, 1, length, 64];
  const [q, k, v] = [0, 1, 2].map((i) => random.normal(random.key(i), shape));
  const attend = attention(kind, window);
  const loss = (a: JaxArray, b: JaxArray, c: JaxArray) => attend(a, b, c).sum();
  const step = jit(grad(loss, { argnums: [0, 1, 2] }));
  const runs = length >= 16384 ? 1 : 3;
  let best = Infinity;
  for (let run = 0; run < runs; run++) {
    const began = performance.now();
    if (mode === "train") for (const g of step(q.ref, k.ref, v.ref) as JaxArray[]) toFloat64(g);
    else toFloat64(attend(q.ref, k.ref, v.ref));
    const elapsed = performance.now() - began;
    if (runs === 1 || run > 0) best = Math.min(best, elapsed);
  }
  const peakMiB = process.resourceUsage().maxRSS / 1024;
  return { mode, kind, length, milliseconds: best, peakMiB } satisfies Measurement;
}

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

/** Least-squares slope of log y against log x. */
function exponent(points: [number, number][]): number {
  if (points.length < 2) return NaN;
  const xs = points.map(([x]) => Math.log(x));
  const ys = points.map(([, y]) => Math.log(y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let num = 0;
  let den = 0;
  for (let i = 0; i < xs.length; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return num / den;
}

function measureInChild(mode: Mode, kind: Kind, length: number, window: number): Measurement {
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(
    process.execPath,
    [self, "--one", kind, "--mode", mode, "--length", String(length), "--window", String(window)],
    { encoding: "utf8", timeout: 30 * 60 * 1000 },
  );
  if (child.status === 0) return JSON.parse(child.stdout) as Measurement;
  const last = child.stderr
    .trim()
    .split("\n")
    .filter((line) => line.includes("Error"));
  const failure = /4 GiB/.test(child.stderr)
    ? "out of memory"
    : (last.pop() ?? `exit ${child.status ?? child.signal}`);
  return { mode, kind, length, failure };
}

function printTable(mode: Mode, kinds: Kind[], lengths: number[], rows: Measurement[]): void {
  const at = (kind: Kind, length: number) =>
    rows.find((r) => r.mode === mode && r.kind === kind && r.length === length);
  const time = (m?: Measurement) =>
    m?.milliseconds === undefined ? (m?.failure ?? "—") : m.milliseconds.toFixed(0);
  const memory = (m?: Measurement) => (m?.peakMiB === undefined ? "—" : m.peakMiB.toFixed(0));
  const what = mode === "train" ? "forward + gradients (jit)" : "forward (op by op)";
  console.log(`\n${what}, 1 head of width 64, batch 1\n`);
  console.log(
    `| T | ${kinds.map((k) => `${k} ms`).join(" | ")} | dense / tiled | tiled / local | ${kinds.map((k) => `${k} peak MiB`).join(" | ")} |`,
  );
  console.log(`|${"---|".repeat(3 + 2 * kinds.length)}`);
  for (const length of lengths) {
    const ratio = (a?: Measurement, b?: Measurement) =>
      a?.milliseconds && b?.milliseconds ? (a.milliseconds / b.milliseconds).toFixed(1) : "—";
    const m = Object.fromEntries(kinds.map((k) => [k, at(k, length)])) as Record<
      Kind,
      Measurement | undefined
    >;
    console.log(
      `| ${length} | ${kinds.map((k) => time(m[k])).join(" | ")} | ${ratio(m.dense, m.tiled)} | ${ratio(m.tiled, m.local)} | ${kinds.map((k) => memory(m[k])).join(" | ")} |`,
    );
  }
  const slopes = kinds.map((kind) => {
    const points = lengths
      .map((length) => at(kind, length))
      .filter((m): m is Measurement & { milliseconds: number } => m?.milliseconds !== undefined)
      .map((m) => [m.length, m.milliseconds] as [number, number]);
    return `${kind} ${exponent(points).toFixed(2)}`;
  });
  console.log(`\ntime ∝ T^p, fitted p: ${slopes.join(", ")}`);
}

async function main() {
  const window = Number(argument("window", "64"));
  if (process.argv.includes("--one")) {
    const kind = argument("one", "local") as Kind;
    const mode = argument("mode", "train") as Mode;
    const result = await measureOne(mode, kind, Number(argument("length", "1024")), window);
    process.stdout.write(JSON.stringify(result) + "\n");
    return;
  }
  const lengths = argument("lengths", "1024,2048,4096,8192,16384,32768,65536")
    .split(",")
    .map(Number);
  const modes = argument("modes", "forward,train").split(",") as Mode[];
  const kinds = argument("kinds", "local,tiled,dense").split(",") as Kind[];
  const rows: Measurement[] = [];
  for (const mode of modes) {
    for (const kind of kinds) {
      for (const length of lengths) {
        process.stderr.write(`${mode} ${kind} T=${length} … `);
        const result = measureInChild(mode, kind, length, window);
        process.stderr.write(`${result.failure ?? `${result.milliseconds?.toFixed(0)} ms`}\n`);
        rows.push(result);
        // Past the first failure the next doubling fails too: skip it.
        if (result.failure) break;
      }
    }
    printTable(mode, kinds, lengths, rows);
  }
}

await main();
