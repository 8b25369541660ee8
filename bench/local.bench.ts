/**
 * Benchmark: localist's Nadaraya–Watson (localMean with a gaussian distanceKernel), k-NN
 * (knnRegress, knnClassify), MeanShift (flat kernel) and kernel ridge regression (gaussian kernel)
 * against scikit-learn, on the same data, in the same run.
 *
 *   npm run build && node dist/bench/local.bench.js [--train N] [--query Q] [--dims D] [--k K]
 *     [--repeats R] [--seed S] [--bandwidth H] [--shift-rows S] [--shift-bandwidth H]
 *     [--ridge-train N] [--python PATH] [--json]
 *
 * MeanShift clusters the first --shift-rows training rows (scikit-learn's MeanShift(bandwidth));
 * kernel ridge (λ = 1, the kernel exp(−‖x − x'‖²/2h²) at --bandwidth, scikit-learn's
 * KernelRidge(kernel="rbf", gamma = 1/2h²)) is fitted on the first --ridge-train training rows and
 * predicts as many queries: its fit is an (N, N) solve, and jax-js's solve grows faster than N³
 * (a first call, compiling included: 0.8 s at N = 1000, 2.4 s at 1500 on the 2-core VM), so N
 * stays near a thousand.
 *
 * The data (uniform on [0, 1]^D, a smooth target plus noise) is drawn here with a seeded PRNG and
 * written once to a temporary little-endian float64 file that the peer, bench/local_sklearn.py,
 * reads with numpy.fromfile. Every timing is the best of R runs, wall clock around the whole call
 * including the read-back of the result to the host, so the work is timed and not its dispatch.
 *
 * Each localist part runs in its own child process (this script with `--part NAME`, regenerating
 * the same data from the seed): a fresh Wasm heap per part gives a per-part peak resident memory,
 * and a part that exhausts jax-js's 4 GiB Wasm memory (whose buffers are never returned after a
 * failed allocation) cannot spoil the parts after it.
 */
import "../src/engine/threads.js"; // as a Node entry point: the threads before jax-js
import "../src/kernels/kdTreeThreads.js"; // k-NN's k-d tree search on the same threads
import { lastJsonLine, runPythonPeer } from "./peer.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { fromHost, initEngine, np, toFloat64, type JaxArray } from "../src/engine/engine.js";
import { distanceKernel } from "../src/kernels/distance.js";
import { seededUniform } from "../src/engine/random.js";
import { localMean, localMeanAsync } from "../src/classical/localMean.js";
import { knnClassify, knnRegress } from "../src/classical/neighbours.js";
import { meanShift, meanShiftAsync } from "../src/classical/meanShift.js";
import { kernelRidge, kernelRidgeAsync } from "../src/classical/kernelRidge.js";
import { DEFAULT_CHUNK_ELEMENTS } from "../src/classical/chunks.js";

interface Options {
  train: number;
  query: number;
  dims: number;
  k: number;
  repeats: number;
  seed: number;
  bandwidth: number;
  shiftRows: number;
  shiftBandwidth: number;
  ridgeTrain: number;
  python: string;
  json: boolean;
  part: string | undefined;
}

const DEFAULTS = {
  train: "20000",
  query: "20000",
  dims: "8",
  k: "10",
  repeats: "3",
  seed: "42",
  bandwidth: "0.2",
  shiftRows: "1000",
  shiftBandwidth: "0.5",
  ridgeTrain: "1000",
  python: "/usr/bin/python3",
};

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      train: { type: "string", default: DEFAULTS.train },
      query: { type: "string", default: DEFAULTS.query },
      dims: { type: "string", default: DEFAULTS.dims },
      k: { type: "string", default: DEFAULTS.k },
      repeats: { type: "string", default: DEFAULTS.repeats },
      seed: { type: "string", default: DEFAULTS.seed },
      bandwidth: { type: "string", default: DEFAULTS.bandwidth },
      "shift-rows": { type: "string", default: DEFAULTS.shiftRows },
      "shift-bandwidth": { type: "string", default: DEFAULTS.shiftBandwidth },
      "ridge-train": { type: "string", default: DEFAULTS.ridgeTrain },
      python: { type: "string", default: DEFAULTS.python },
      json: { type: "boolean", default: false },
      part: { type: "string" }, // internal: run one localist part (see runPart)
    },
  });
  const integer = (name: string, text: string | undefined, min: number): number => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < min) {
      throw new Error(`--${name} must be an integer ≥ ${min}, got ${String(text)}`);
    }
    return value;
  };
  const positive = (name: string, text: string | undefined): number => {
    const value = Number(text);
    if (!(Number.isFinite(value) && value > 0)) {
      throw new Error(`--${name} must be a positive number, got ${String(text)}`);
    }
    return value;
  };
  const options: Options = {
    train: integer("train", values.train, 1),
    query: integer("query", values.query, 1),
    dims: integer("dims", values.dims, 1),
    k: integer("k", values.k, 1),
    repeats: integer("repeats", values.repeats, 1),
    seed: integer("seed", values.seed, 0),
    bandwidth: positive("bandwidth", values.bandwidth),
    shiftRows: integer("shift-rows", values["shift-rows"], 1),
    shiftBandwidth: positive("shift-bandwidth", values["shift-bandwidth"]),
    ridgeTrain: integer("ridge-train", values["ridge-train"], 1),
    python: values.python ?? DEFAULTS.python,
    json: values.json ?? false,
    part: values.part,
  };
  for (const [name, value] of [
    ["k", options.k],
    ["shift-rows", options.shiftRows],
    ["ridge-train", options.ridgeTrain],
  ] as const) {
    if (value > options.train) throw new Error(`--${name} must be ≤ --train (${options.train})`);
  }
  return options;
}

interface Data {
  x: Float64Array; // (train, dims)
  y: Float64Array; // (train)
  q: Float64Array; // (query, dims)
  labels: Int32Array; // (train): y > median(y)
}

/** Inputs uniform on [0, 1]^D; y = 2 + sin(2π x₀) + x₁² + 0.1·N(0, 1). */
function makeData(options: Options): Data {
  const { train, query, dims, seed } = options;
  const random = seededUniform(seed);
  const normal = (): number => {
    const u = 1 - random(); // (0, 1]
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  };
  const x = new Float64Array(train * dims).map(() => random());
  const y = new Float64Array(train);
  for (let i = 0; i < train; i++) {
    const x0 = x[i * dims];
    const x1 = dims > 1 ? x[i * dims + 1] : 0;
    y[i] = 2 + Math.sin(2 * Math.PI * x0) + x1 * x1 + 0.1 * normal();
  }
  const q = new Float64Array(query * dims).map(() => random());
  // numpy's median: the mean of the two middle values for an even count.
  const sorted = Float64Array.from(y).sort();
  const half = Math.floor(train / 2);
  const median = train % 2 === 1 ? sorted[half] : (sorted[half - 1] + sorted[half]) / 2;
  const labels = Int32Array.from(y, (v) => (v > median ? 1 : 0));
  return { x, y, q, labels };
}

/** Writes train X, train y, query X as little-endian float64, in that order. */
function writeData(path: string, data: Data): void {
  const parts = [data.x, data.y, data.q];
  const total = parts.reduce((sum, part) => sum + part.length, 0);
  const view = new DataView(new ArrayBuffer(total * 8));
  let offset = 0;
  for (const part of parts) {
    for (const value of part) {
      view.setFloat64(offset, value, true);
      offset += 8;
    }
  }
  writeFileSync(path, new Uint8Array(view.buffer));
}

function progress(message: string): void {
  process.stderr.write(`[local.bench] ${message}\n`);
}

function sum(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total;
}

// ---------------------------------------------------------------- the scikit-learn peer

interface PeerResult {
  sizes: Record<string, number>;
  repeats: number;
  nwChunkRows: number;
  nwMinWeightMass: number;
  autoAlgorithm: string;
  timings: Record<string, number>;
  checksums: Record<string, number>;
  labelsPositive: number;
  threads: { user_api: string; internal_api: string; num_threads: number }[] | null;
  peakRssMiB: number;
  versions: Record<string, string>;
}

function runPeer(options: Options, path: string): PeerResult {
  const script = fileURLToPath(new URL("../../bench/local_sklearn.py", import.meta.url));
  const args = [
    script,
    path,
    String(options.train),
    String(options.query),
    String(options.dims),
    String(options.k),
    String(options.seed),
    String(options.repeats),
    String(options.bandwidth),
    String(DEFAULT_CHUNK_ELEMENTS),
    String(options.shiftRows),
    String(options.shiftBandwidth),
    String(options.ridgeTrain),
  ];
  return runPythonPeer<PeerResult>(
    options.python,
    args,
    "scikit-learn: apt-get install -y python3-sklearn",
  );
}

// ---------------------------------------------------------------- localist parts (child side)

const PARTS = [
  "nw",
  "nwFloat32",
  "nwFloat32MainThread",
  "knnRegress",
  "knnRegressFloat32",
  "knnClassify",
  "meanShift",
  "meanShiftMainThread",
  "kernelRidge",
  "kernelRidgeMainThread",
] as const;
type Part = (typeof PARTS)[number];

interface PartResult {
  part: Part;
  seconds: number; // best of the completed runs; NaN if none completed
  runs: number[];
  checksum: number;
  error?: string;
  peakRssMiB: number; // getrusage max RSS of the child process
  peakSampledRssMiB: number; // max of process.memoryUsage().rss sampled around each call
}

let peakSampledRss = 0;
function sampleRss(): void {
  peakSampledRss = Math.max(peakSampledRss, process.memoryUsage().rss);
}

/** One run of a part: builds its engine inputs untimed, then times the call and the read-back. */
function partRunner(
  part: Part,
  options: Options,
  data: Data,
): () => Promise<[number, ArrayLike<number>]> {
  const { train, query, dims, k, bandwidth } = options;
  const dtype = part.includes("Float32") ? np.float32 : np.float64;
  const kernel = distanceKernel("gaussian", bandwidth);
  const ridgeSizes = [options.ridgeTrain, Math.min(query, options.ridgeTrain)] as const;
  /** The first `rows` training rows and their targets, and the first `queries` queries. */
  const inputs = (
    rows: number,
    queries: number,
  ): { keys: JaxArray; values: JaxArray; queries: JaxArray } => ({
    keys: fromHost(data.x.subarray(0, rows * dims), [rows, dims], dtype),
    values: fromHost(data.y.subarray(0, rows), [rows, 1], dtype),
    queries: fromHost(data.q.subarray(0, queries * dims), [queries, dims], dtype),
  });
  const timed = (
    work: (arrays: {
      keys: JaxArray;
      values: JaxArray;
      queries: JaxArray;
    }) => ArrayLike<number> | Promise<ArrayLike<number>>,
    rows = train,
    queries = query,
  ): (() => Promise<[number, ArrayLike<number>]>) => {
    return async () => {
      const arrays = inputs(rows, queries);
      sampleRss();
      const start = performance.now();
      const result = await work(arrays);
      const seconds = (performance.now() - start) / 1000;
      sampleRss();
      return [seconds, result];
    };
  };
  switch (part) {
    case "nw":
    case "nwFloat32": // on the compute threads, as the command line runs it
      return timed(async ({ keys, values, queries }) =>
        toFloat64(await localMeanAsync(kernel, keys, values, queries)),
      );
    case "nwFloat32MainThread": // the synchronous call: every kernel on the calling thread
      return timed(({ keys, values, queries }) =>
        toFloat64(localMean(kernel, keys, values, queries)),
      );
    case "knnRegress":
    case "knnRegressFloat32":
      return timed(({ keys, values, queries }) =>
        toFloat64(knnRegress(keys, values, queries, { k })),
      );
    case "knnClassify":
      return timed(({ keys, values, queries }) => {
        values.dispose();
        return knnClassify(keys, data.labels, 2, queries, { k }).classes;
      });
    case "meanShift": // the sum of the centres is the checksum
    case "meanShiftMainThread": {
      const shift = { bandwidth: options.shiftBandwidth };
      return timed(async ({ keys, values, queries }) => {
        values.dispose();
        queries.dispose();
        const result =
          part === "meanShift" ? await meanShiftAsync(keys, shift) : meanShift(keys, shift);
        keys.dispose();
        return result.centers;
      }, options.shiftRows);
    }
    case "kernelRidge": // fit and predict, as scikit-learn's row times them
      return timed(
        async ({ keys, values, queries }) => {
          const model = await kernelRidgeAsync(kernel, keys, values, { ridge: 1 });
          const predictions = toFloat64(await model.predictAsync(queries));
          model.dispose();
          return predictions;
        },
        ...ridgeSizes,
      );
    case "kernelRidgeMainThread":
      return timed(
        ({ keys, values, queries }) => {
          const model = kernelRidge(kernel, keys, values, { ridge: 1 });
          const predictions = toFloat64(model.predict(queries));
          model.dispose();
          return predictions;
        },
        ...ridgeSizes,
      );
  }
}

/** Child mode: runs one part R times and prints a PartResult as one JSON line. */
async function runPart(options: Options, part: Part): Promise<void> {
  await initEngine();
  const data = makeData(options);
  peakSampledRss = process.memoryUsage().rss;
  const run = partRunner(part, options, data);
  const runs: number[] = [];
  let checksum = NaN;
  let error: string | undefined;
  for (let repeat = 1; repeat <= options.repeats; repeat++) {
    try {
      const [seconds, result] = await run();
      runs.push(seconds);
      checksum = sum(result);
      progress(`localist ${part}: run ${repeat}/${options.repeats} ${seconds.toFixed(3)} s`);
    } catch (caught) {
      error = caught instanceof Error ? `${caught.name}: ${caught.message}` : String(caught);
      progress(`localist ${part}: run ${repeat}/${options.repeats} failed: ${error}`);
      break; // jax-js does not get back the Wasm memory of a failed call: later runs would lie
    }
  }
  sampleRss();
  const result: PartResult = {
    part,
    seconds: runs.length > 0 ? Math.min(...runs) : NaN,
    runs,
    checksum,
    error,
    peakRssMiB: process.resourceUsage().maxRSS / 1024,
    peakSampledRssMiB: peakSampledRss / 2 ** 20,
  };
  console.log(JSON.stringify(result));
}

/** Parent side: runs a part in a child process (same options, `--part NAME`). */
function spawnPart(options: Options, part: Part): PartResult {
  const script = fileURLToPath(import.meta.url);
  const args = [
    script,
    ...["--train", String(options.train), "--query", String(options.query)],
    ...["--dims", String(options.dims), "--k", String(options.k)],
    ...["--repeats", String(options.repeats), "--seed", String(options.seed)],
    ...["--bandwidth", String(options.bandwidth), "--part", part],
    ...["--shift-rows", String(options.shiftRows)],
    ...["--shift-bandwidth", String(options.shiftBandwidth)],
    ...["--ridge-train", String(options.ridgeTrain)],
  ];
  const run = spawnSync(process.execPath, args, {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
  });
  const result = lastJsonLine<PartResult>(run.stdout ?? "");
  if (result !== undefined && result.part === part) {
    // JSON has no NaN: a part with no completed run comes back with nulls.
    const finite = (value: number | null): number => value ?? NaN;
    return {
      ...result,
      seconds: finite(result.seconds),
      checksum: finite(result.checksum),
      peakRssMiB: finite(result.peakRssMiB),
      peakSampledRssMiB: finite(result.peakSampledRssMiB),
    };
  }
  const why = run.error?.message ?? `status ${String(run.status)}, signal ${String(run.signal)}`;
  return {
    part,
    seconds: NaN,
    runs: [],
    checksum: NaN,
    error: `child process failed (${why})`,
    peakRssMiB: NaN,
    peakSampledRssMiB: NaN,
  };
}

// ---------------------------------------------------------------- report (parent side)

interface Row {
  method: string;
  localist: Part;
  sklearn: string; // key into the peer's timings
  rtol: number;
}

function rowsFor(options: Options, peer: PeerResult): Row[] {
  const { k, bandwidth, shiftRows, shiftBandwidth, ridgeTrain, query } = options;
  const ridgeQueries = Math.min(query, ridgeTrain);
  const auto = peer.autoAlgorithm;
  const nw = `Nadaraya–Watson, gaussian h=${bandwidth}`;
  const shift = `MeanShift, flat h=${shiftBandwidth}, ${shiftRows} rows`;
  const ridge = `kernel ridge, gaussian h=${bandwidth}, λ=1, fit ${ridgeTrain} rows + predict ${ridgeQueries}`;
  return [
    { method: `${nw}: localMeanAsync, float64`, localist: "nw", sklearn: "nw", rtol: 1e-6 },
    { method: `${nw}: localMeanAsync, float32`, localist: "nwFloat32", sklearn: "nw", rtol: 1e-3 },
    {
      method: `${nw}: localMean (main thread), float32`,
      localist: "nwFloat32MainThread",
      sklearn: "nw",
      rtol: 1e-3,
    },
    {
      method: `k-NN regression k=${k}, float64 vs sklearn auto (${auto})`,
      localist: "knnRegress",
      sklearn: "knnRegress",
      rtol: 1e-6,
    },
    {
      method: `k-NN regression k=${k}, float64 vs sklearn brute`,
      localist: "knnRegress",
      sklearn: "knnRegressBrute",
      rtol: 1e-6,
    },
    {
      method: `k-NN regression k=${k}, float32 vs sklearn auto (${auto})`,
      localist: "knnRegressFloat32",
      sklearn: "knnRegress",
      rtol: 1e-3,
    },
    {
      method: `k-NN classification k=${k}, float64 vs sklearn auto (${auto})`,
      localist: "knnClassify",
      sklearn: "knnClassify",
      rtol: 1e-6,
    },
    {
      method: `k-NN classification k=${k}, float64 vs sklearn brute`,
      localist: "knnClassify",
      sklearn: "knnClassifyBrute",
      rtol: 1e-6,
    },
    { method: `${shift}: meanShiftAsync`, localist: "meanShift", sklearn: "meanShift", rtol: 1e-6 },
    {
      method: `${shift}: meanShift (main thread)`,
      localist: "meanShiftMainThread",
      sklearn: "meanShift",
      rtol: 1e-6,
    },
    {
      method: `${ridge}: kernelRidgeAsync`,
      localist: "kernelRidge",
      sklearn: "kernelRidge",
      rtol: 1e-6,
    },
    {
      method: `${ridge}: kernelRidge (main thread)`,
      localist: "kernelRidgeMainThread",
      sklearn: "kernelRidge",
      rtol: 1e-6,
    },
  ];
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "—";
}

async function main(): Promise<void> {
  const options = readOptions();
  if (options.part !== undefined) {
    if (!(PARTS as readonly string[]).includes(options.part)) {
      throw new Error(`unknown --part '${options.part}'; expected one of ${PARTS.join(", ")}`);
    }
    await runPart(options, options.part as Part);
    return;
  }
  const { train, query, dims, k, repeats, bandwidth, seed } = options;
  progress(
    `train ${train} × query ${query} × dims ${dims}, k = ${k}, h = ${bandwidth}, ` +
      `seed ${seed}, best of ${repeats}`,
  );
  const data = makeData(options);
  const folder = mkdtempSync(join(tmpdir(), "localist-bench-"));
  const path = join(folder, "data.f64");
  let peer: PeerResult;
  try {
    writeData(path, data);
    progress(`scikit-learn peer (${options.python} bench/local_sklearn.py) running…`);
    const started = performance.now();
    peer = runPeer(options, path);
    progress(`scikit-learn peer done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  if (!(peer.nwMinWeightMass > 0)) {
    progress(`warning: some query's gaussian weights all underflow (h = ${bandwidth})`);
  }

  const parts = new Map<Part, PartResult>();
  for (const part of PARTS) {
    progress(`localist ${part} (child process) running…`);
    parts.set(part, spawnPart(options, part));
  }

  const results = rowsFor(options, peer).map((row) => {
    const mine = parts.get(row.localist) as PartResult;
    const theirs = peer.timings[row.sklearn];
    const reference = peer.checksums[row.sklearn];
    const difference = Math.abs(mine.checksum - reference) / Math.abs(reference);
    return {
      method: row.method,
      localistPart: row.localist,
      sklearnMethod: row.sklearn,
      localistSeconds: mine.seconds,
      sklearnSeconds: theirs,
      ratio: mine.seconds / theirs,
      localistChecksum: mine.checksum,
      sklearnChecksum: reference,
      checksumRelativeDifference: difference,
      checksumTolerance: row.rtol,
      checksumsAgree: mine.error === undefined ? difference <= row.rtol : null,
      localistPeakRssMiB: mine.peakRssMiB,
      error: mine.error,
    };
  });
  const disagree = results.filter((result) => result.checksumsAgree === false);
  const failed = results.filter((result) => result.error !== undefined);
  if (disagree.length > 0) process.exitCode = 1;
  const peakRss = Math.max(...[...parts.values()].map((p) => p.peakRssMiB).filter(Number.isFinite));
  const peakSampled = Math.max(
    ...[...parts.values()].map((p) => p.peakSampledRssMiB).filter(Number.isFinite),
  );

  if (options.json) {
    const summary = {
      command: `node dist/bench/local.bench.js ${process.argv.slice(2).join(" ")}`.trim(),
      sizes: {
        train,
        query,
        dims,
        k,
        bandwidth,
        seed,
        shiftRows: options.shiftRows,
        shiftBandwidth: options.shiftBandwidth,
        ridgeTrain: options.ridgeTrain,
      },
      repeats,
      node: process.version,
      localist: Object.fromEntries(parts),
      localistPeakRssMiB: peakRss,
      localistPeakSampledRssMiB: peakSampled,
      sklearn: peer,
      rows: results,
    };
    console.log(JSON.stringify(summary, null, 2));
    return;
  }

  const threads =
    peer.threads === null
      ? "threadpoolctl not available"
      : peer.threads.map((t) => `${t.internal_api} ${t.num_threads}`).join(", ");
  const lines = [
    `train ${train} × query ${query} × dims ${dims}, k = ${k}, gaussian h = ${bandwidth}, ` +
      `seed ${seed}, best of ${repeats}; scikit-learn ${peer.versions.sklearn} ` +
      `(numpy ${peer.versions.numpy}, threads: ${threads}); localist on @jax-js/jax Wasm, ` +
      `Node ${process.version}`,
    "",
    "| method | localist (s) | scikit-learn (s) | ratio (localist / sklearn) | checksums agree | localist peak RSS (MiB) |",
    "| --- | ---: | ---: | ---: | --- | ---: |",
    ...results.map((r) => {
      const agree =
        r.checksumsAgree === null
          ? "failed"
          : `${r.checksumsAgree ? "yes" : "NO"} (rel. diff ${r.checksumRelativeDifference.toExponential(1)})`;
      return (
        `| ${r.method} | ${fixed(r.localistSeconds, 3)} | ${fixed(r.sklearnSeconds, 3)} | ` +
        `${fixed(r.ratio, 2)} | ${agree} | ${fixed(r.localistPeakRssMiB, 0)} |`
      );
    }),
    "",
    `Peak resident memory: localist ${fixed(peakRss, 0)} MiB (largest child's max RSS; ` +
      `process.memoryUsage().rss sampled around the calls: ${fixed(peakSampled, 0)} MiB), ` +
      `scikit-learn process ${fixed(peer.peakRssMiB, 0)} MiB.`,
  ];
  for (const part of new Set(failed.map((r) => r.localistPart))) {
    lines.push(`- localist ${part} failed: ${String(parts.get(part)?.error)}`);
  }
  if (disagree.length > 0) {
    lines.push("", `Checksums disagree for: ${disagree.map((r) => r.method).join("; ")}`);
  }
  console.log(lines.join("\n"));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
