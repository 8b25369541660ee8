/**
 * Attention cost against sequence length: W-local (chunked, O(T·W)) against dense global causal
 * attention (O(T²)), forward and backward, one head of width 64, W = 64.
 *
 *   npm run build && node dist/bench/attention.bench.js [--lengths 1024,2048,...] [--window 64]
 *
 * Each (kind, length) runs in a fresh child process, so its peak resident memory is its own.
 * Times are the best of 3 after one warm-up, waiting for the gradients' values.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { grad, initEngine, random, toFloat64, type JaxArray } from "../src/engine/engine.js";
import { globalCausalAttention, localCausalAttention } from "../src/attention/causal.js";

interface Measurement {
  kind: "local" | "dense";
  length: number;
  milliseconds: number;
  peakMiB: number;
}

async function measureOne(
  kind: "local" | "dense",
  length: number,
  window: number,
): Promise<Measurement> {
  await initEngine();
  const shape = [1, 1, length, 64];
  const [q, k, v] = [0, 1, 2].map((i) => random.normal(random.key(i), shape));
  const loss = (a: JaxArray, b: JaxArray, c: JaxArray) => {
    const out =
      kind === "local"
        ? localCausalAttention(a, b, c, { window, strict: false }).output
        : globalCausalAttention(a, b, c, { strict: false }).output;
    return out.sum();
  };
  const gradient = grad(loss, { argnums: [0, 1, 2] });
  let best = Infinity;
  for (let run = 0; run < 4; run++) {
    const began = performance.now();
    const grads = gradient(q.ref, k.ref, v.ref) as JaxArray[];
    for (const g of grads) toFloat64(g); // wait for the values
    const elapsed = performance.now() - began;
    if (run > 0) best = Math.min(best, elapsed);
  }
  return { kind, length, milliseconds: best, peakMiB: process.resourceUsage().maxRSS / 1024 };
}

function argument(name: string, fallback: string): string {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : fallback;
}

async function main() {
  const window = Number(argument("window", "64"));
  if (process.argv.includes("--one")) {
    const kind = argument("one", "local") as "local" | "dense";
    const result = await measureOne(kind, Number(argument("length", "1024")), window);
    process.stdout.write(JSON.stringify(result) + "\n");
    return;
  }
  const lengths = argument("lengths", "1024,2048,4096,8192,16384").split(",").map(Number);
  const self = fileURLToPath(import.meta.url);
  const rows: Measurement[] = [];
  for (const length of lengths) {
    for (const kind of ["local", "dense"] as const) {
      process.stderr.write(`${kind} T=${length} …\n`);
      const child = spawnSync(
        process.execPath,
        [self, "--one", kind, "--length", String(length), "--window", String(window)],
        {
          encoding: "utf8",
          timeout: 20 * 60 * 1000,
        },
      );
      if (child.status !== 0) {
        process.stderr.write(`  failed: ${child.stderr.trim().split("\n").pop()}\n`);
        continue;
      }
      rows.push(JSON.parse(child.stdout) as Measurement);
    }
  }
  console.log(`\nforward + backward, 1 head of width 64, W = ${window}\n`);
  console.log("| T | local ms | dense ms | dense / local | local peak MiB | dense peak MiB |");
  console.log("|---|---|---|---|---|---|");
  for (const length of lengths) {
    const local = rows.find((r) => r.kind === "local" && r.length === length);
    const dense = rows.find((r) => r.kind === "dense" && r.length === length);
    const cell = (
      m?: Measurement,
      f: (m: Measurement) => string = (x) => x.milliseconds.toFixed(0),
    ) => (m ? f(m) : "—");
    console.log(
      `| ${length} | ${cell(local)} | ${cell(dense)} | ${local && dense ? (dense.milliseconds / local.milliseconds).toFixed(1) : "—"} | ${cell(local, (m) => m.peakMiB.toFixed(0))} | ${cell(dense, (m) => m.peakMiB.toFixed(0))} |`,
    );
  }
}

await main();
