/** `localist local <method>`: the classical local methods on CSV files, predictions on stdout. */
import { LocalistError } from "../engine/errors.js";
import { parseDecimal } from "../engine/numbers.js";
import { DISTANCE_PROFILES, type DistanceProfile } from "../kernels/distance.js";
import { NEIGHBOUR_WEIGHTS, type NeighbourWeighting } from "../classical/neighbours.js";
import { MEAN_SHIFT_KERNELS, type MeanShiftKernel } from "../classical/meanShift.js";
import { formatCsv, readCsv } from "../io/csv.js";
import { createProgress } from "../io/progress.js";
import {
  LOCAL_DEFAULTS,
  LOCAL_METHODS,
  runLocalMethod,
  type BandwidthChoice,
} from "./local/methods.js";
import type { Command } from "./command.js";
import {
  AT_LEAST_ONE,
  between,
  NON_NEGATIVE,
  POSITIVE,
  POSITIVE_INTEGER,
  seedFlag,
  UsageError,
  type FlagSpec,
  type FlagValues,
} from "./flags.js";

const TRAIN_FLAG: FlagSpec = {
  name: "train",
  kind: "string",
  value: "FILE",
  help: "training CSV with a header row",
};
const QUERY_FLAG: FlagSpec = {
  name: "query",
  kind: "string",
  value: "FILE",
  help: "query CSV (default: the training features)",
};
const TARGET_FLAG: FlagSpec = {
  name: "target",
  kind: "string",
  value: "COLUMN",
  help: "target column",
};
const FEATURES_FLAG: FlagSpec = {
  name: "features",
  kind: "string",
  value: "COLS",
  help: "feature columns, comma-separated (default: all but the target)",
};
const KERNEL_FLAG: FlagSpec = {
  name: "kernel",
  kind: "string",
  value: "NAME",
  choices: DISTANCE_PROFILES,
  default: LOCAL_DEFAULTS.kernel,
  help: "localization kernel",
};
const BANDWIDTH_FLAG: FlagSpec = {
  name: "bandwidth",
  kind: "string",
  value: "H",
  default: LOCAL_DEFAULTS.bandwidth,
  help: "a number, one number per feature (comma-separated), scott, silverman or cv",
};
const K_FLAG: FlagSpec = {
  name: "k",
  kind: "integer",
  constraint: AT_LEAST_ONE,
  default: LOCAL_DEFAULTS.k,
  help: "number of neighbours",
};
const WEIGHTS_FLAG: FlagSpec = {
  name: "weights",
  kind: "string",
  value: "NAME",
  choices: NEIGHBOUR_WEIGHTS,
  default: LOCAL_DEFAULTS.weights,
  help: "neighbour weights",
};
/** For the unsupervised methods: --target only names a column to leave out. */
const EXCLUDED_COLUMN_FLAG: FlagSpec = {
  name: "target",
  kind: "string",
  value: "COLUMN",
  help: "a column to leave out of the features",
};

const SUPERVISED = [TRAIN_FLAG, QUERY_FLAG, TARGET_FLAG, FEATURES_FLAG];
const UNSUPERVISED = [TRAIN_FLAG, EXCLUDED_COLUMN_FLAG, FEATURES_FLAG];
/** Unsupervised methods that map query rows: density, retrieval, denoising. */
const WITH_QUERIES = [TRAIN_FLAG, QUERY_FLAG, EXCLUDED_COLUMN_FLAG, FEATURES_FLAG];
/** --bandwidth without cv (cross-validation belongs to the local mean). */
const RULE_BANDWIDTH_FLAG: FlagSpec = {
  ...BANDWIDTH_FLAG,
  help: "a number, one number per feature (comma-separated), scott or silverman",
};
const stepsFlag = (help: string): FlagSpec => ({
  name: "steps",
  kind: "integer",
  constraint: POSITIVE_INTEGER,
  default: LOCAL_DEFAULTS.steps,
  help,
});

const METHOD_FLAGS: Record<string, FlagSpec[]> = {
  mean: [...SUPERVISED, KERNEL_FLAG, BANDWIDTH_FLAG],
  poly: [
    ...SUPERVISED,
    KERNEL_FLAG,
    BANDWIDTH_FLAG,
    {
      name: "degree",
      kind: "integer",
      constraint: between(0, 2),
      default: LOCAL_DEFAULTS.degree,
      help: "polynomial degree",
    },
  ],
  mode: [...SUPERVISED, KERNEL_FLAG, BANDWIDTH_FLAG],
  logistic: [...SUPERVISED, KERNEL_FLAG, BANDWIDTH_FLAG],
  "knn-regress": [...SUPERVISED, K_FLAG, WEIGHTS_FLAG],
  "knn-classify": [...SUPERVISED, K_FLAG, WEIGHTS_FLAG],
  meanshift: [
    ...UNSUPERVISED,
    {
      ...KERNEL_FLAG,
      choices: MEAN_SHIFT_KERNELS,
      default: LOCAL_DEFAULTS.meanShiftKernel,
      help: "MeanShift kernel",
    },
    {
      name: "bandwidth",
      kind: "string",
      value: "H",
      default: LOCAL_DEFAULTS.meanShiftBandwidth,
      help: "a number, or estimate (scikit-learn's estimate_bandwidth, quantile 0.3)",
    },
  ],
  lle: [
    ...UNSUPERVISED,
    K_FLAG,
    {
      name: "components",
      kind: "integer",
      constraint: AT_LEAST_ONE,
      default: LOCAL_DEFAULTS.components,
      help: "embedding dimensions",
    },
    {
      name: "reg",
      kind: "number",
      constraint: POSITIVE,
      default: LOCAL_DEFAULTS.regularization,
      help: "regularization of the local Gram matrices",
    },
  ],
  kde: [...WITH_QUERIES, KERNEL_FLAG, RULE_BANDWIDTH_FLAG],
  ridge: [
    ...SUPERVISED,
    KERNEL_FLAG,
    RULE_BANDWIDTH_FLAG,
    {
      name: "ridge",
      kind: "number",
      constraint: NON_NEGATIVE,
      default: LOCAL_DEFAULTS.ridge,
      help: "the ridge λ added to the kernel matrix's diagonal",
    },
  ],
  gp: [
    ...SUPERVISED,
    KERNEL_FLAG,
    RULE_BANDWIDTH_FLAG,
    {
      name: "noise",
      kind: "number",
      constraint: NON_NEGATIVE,
      default: LOCAL_DEFAULTS.noise,
      help: "the observation-noise variance σ² (scikit-learn's alpha)",
    },
    {
      name: "amplitude",
      kind: "number",
      constraint: POSITIVE,
      default: LOCAL_DEFAULTS.amplitude,
      help: "the prior variance a of f",
    },
  ],
  tsk: [
    ...SUPERVISED,
    { ...RULE_BANDWIDTH_FLAG, help: `membership widths σ: ${RULE_BANDWIDTH_FLAG.help}` },
    {
      name: "rules",
      kind: "integer",
      constraint: POSITIVE_INTEGER,
      default: LOCAL_DEFAULTS.rules,
      help: "number of rules, their centres chosen by k-means",
    },
    {
      name: "centres",
      kind: "string",
      value: "FILE",
      help: "CSV of rule centres with the feature columns (instead of k-means)",
    },
    seedFlag(LOCAL_DEFAULTS.seed, "seed of k-means"),
  ],
  hopfield: [
    ...WITH_QUERIES,
    {
      name: "beta",
      kind: "number",
      constraint: POSITIVE,
      default: LOCAL_DEFAULTS.beta,
      help: "inverse temperature β",
    },
    stepsFlag("number of updates"),
  ],
  denoise: [
    ...WITH_QUERIES,
    {
      name: "noise",
      kind: "number",
      constraint: POSITIVE,
      value: "SIGMA",
      help: "the noise level σ (standard deviation per coordinate); required",
    },
    {
      name: "bandwidth",
      kind: "number",
      constraint: POSITIVE,
      help: "the gaussian kernel's bandwidth h (default σ: MeanShift steps)",
    },
    stepsFlag("number of denoising steps"),
  ],
};

/** The methods whose --bandwidth may be cv (cross-validation of the local mean). */
const CROSS_VALIDATED = new Set(["mean", "poly"]);

/** `--bandwidth` of the kernel methods. */
function bandwidthChoice(text: string): BandwidthChoice {
  if (text === "scott" || text === "silverman" || text === "cv") return text;
  const values = text.split(",").map((part) => parseDecimal(part.trim()));
  if (values.some((h) => !Number.isFinite(h)))
    throw new UsageError(
      `--bandwidth must be a number, a comma-separated list, scott, silverman or cv; got '${text}'`,
    );
  values.forEach((h) => {
    if (h <= 0) throw new UsageError(`--bandwidth must be > 0, got ${h}`);
  });
  return values.length === 1 ? values[0] : values;
}

/** `--bandwidth` of MeanShift. */
function meanShiftBandwidth(text: string): number | "estimate" {
  if (text === "estimate") return text;
  const h = parseDecimal(text.trim());
  if (!(Number.isFinite(h) && h > 0))
    throw new UsageError(`--bandwidth must be a positive number or estimate, got '${text}'`);
  return h;
}

async function runMethod(method: string, flags: FlagValues): Promise<string> {
  const command = `localist local ${method}`;
  const trainPath = flags.train as string | undefined;
  if (trainPath === undefined) throw new UsageError(`'${command}' needs --train FILE`);
  const { supervised } = LOCAL_METHODS[method];
  const target = flags.target as string | undefined;
  if (supervised && target === undefined)
    throw new UsageError(`'${command}' needs --target COLUMN`);
  const isMeanShift = method === "meanshift";
  if (method === "denoise" && flags.noise === undefined)
    throw new UsageError(`'${command}' needs --noise SIGMA`);
  const bandwidth = typeof flags.bandwidth === "string" ? flags.bandwidth : undefined;
  // Cross-validation fits a numeric target by its local mean: the two regressors only.
  if (bandwidth === "cv" && !CROSS_VALIDATED.has(method))
    throw new UsageError(
      `--bandwidth cv is not available for '${command}'; give a number, one per feature, scott or silverman`,
    );
  const features = (flags.features as string | undefined)?.split(",").map((c) => c.trim());
  const repeated = features?.find((name, i) => name === "" || features.indexOf(name) !== i);
  if (repeated !== undefined)
    throw new UsageError(
      repeated === ""
        ? `--features has an empty column name: '${String(flags.features)}'`
        : `--features names column '${repeated}' twice`,
    );
  const centres = flags.centres === undefined ? undefined : readCsv(flags.centres as string);
  // Only the method's own flags have values (their defaults come from LOCAL_DEFAULTS); the
  // options of other methods stay unset.
  const options = {
    target,
    features,
    kernel: isMeanShift ? undefined : (flags.kernel as DistanceProfile | undefined),
    bandwidth: !isMeanShift && bandwidth !== undefined ? bandwidthChoice(bandwidth) : undefined,
    degree: flags.degree as number | undefined,
    k: flags.k as number | undefined,
    weights: flags.weights as NeighbourWeighting | undefined,
    meanShiftKernel: isMeanShift ? (flags.kernel as MeanShiftKernel) : undefined,
    meanShiftBandwidth: isMeanShift ? meanShiftBandwidth(bandwidth as string) : undefined,
    components: flags.components as number | undefined,
    regularization: flags.reg as number | undefined,
    ridge: flags.ridge as number | undefined,
    noise: flags.noise as number | undefined,
    amplitude: flags.amplitude as number | undefined,
    rules: flags.rules as number | undefined,
    seed: flags.seed as number | undefined,
    centres,
    beta: flags.beta as number | undefined,
    steps: flags.steps as number | undefined,
    denoiseBandwidth: typeof flags.bandwidth === "number" ? flags.bandwidth : undefined,
  };
  const train = readCsv(trainPath);
  const query = flags.query === undefined ? undefined : readCsv(flags.query as string);
  // Progress appears only on runs that take more than a few seconds.
  const rows = (query ?? train).rows.length;
  const progress = createProgress({ total: rows, label: command, quietMs: 3000 });
  const result = await runLocalMethod(method, train, query, {
    ...options,
    onProgress: (done, total) => progress.update(done, {}, total),
  });
  progress.finish();
  for (const note of result.notes) process.stderr.write(`${note}\n`);
  refuseNaN(command, result.rows);
  return formatCsv(result.header, result.rows);
}

/**
 * A result with NaN is no result: the arithmetic overflowed or lost every weight at this scale
 * (`denoise --noise 1e308` printed NaN rows with exit 0). Nothing is printed; the line says where.
 */
function refuseNaN(command: string, rows: readonly (readonly (string | number)[])[]): void {
  let count = 0;
  let first = -1;
  rows.forEach((row, r) => {
    if (row.some((cell) => typeof cell === "number" && Number.isNaN(cell))) {
      count++;
      if (first < 0) first = r;
    }
  });
  if (count > 0)
    throw new LocalistError(
      `${command} computed NaN for ${count} of ${rows.length} rows (first: row ${first + 1}): the arithmetic overflowed or lost every weight at this scale; rescale the data or the flags`,
    );
}

/** One command per method: `localist local mean`, … */
export const LOCAL_COMMANDS: Record<string, Command> = Object.fromEntries(
  Object.entries(LOCAL_METHODS).map(([method, { description }]) => [
    method,
    {
      summary: description,
      usage: `localist local ${method} --train FILE [options]`,
      description,
      flags: METHOD_FLAGS[method],
      run: ({ flags }) => runMethod(method, flags),
    },
  ]),
);

/** The one line `localist --help` shows for `local`. */
export const LOCAL_SUMMARY =
  "local methods (Nadaraya–Watson, local polynomial, k-NN, MeanShift, LLE, density, kernel ridge, GP, fuzzy rules, Hopfield, denoising) on CSV";

/** `localist local --help`: the methods, one line each. */
export function localHelp(): string {
  const width = Math.max(...Object.keys(LOCAL_METHODS).map((m) => m.length));
  return [
    "usage: localist local <method> --train FILE [--query FILE] [--target COLUMN] [options]",
    "",
    "Classical local methods on CSV data; predictions are written as CSV on stdout.",
    "",
    "methods:",
    ...Object.entries(LOCAL_METHODS).map(
      ([m, { description }]) => `  ${m.padEnd(width)}  ${description}`,
    ),
    "",
    "Run 'localist local <method> --help' for a method's options.",
  ].join("\n");
}
