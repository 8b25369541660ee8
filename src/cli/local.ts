/** `localist local <method>`: the classical local methods on CSV files, predictions on stdout. */
import { DISTANCE_PROFILES, type DistanceProfile } from "../kernels/distance.js";
import { NEIGHBOUR_WEIGHTS, type NeighbourWeighting } from "../classical/neighbours.js";
import { MEAN_SHIFT_KERNELS, type MeanShiftKernel } from "../classical/meanShift.js";
import { formatCsv, readCsv } from "../io/csv.js";
import { LOCAL_METHODS, runLocalMethod, type BandwidthChoice } from "../workflows/localMethods.js";
import type { Command } from "./command.js";
import {
  AT_LEAST_ONE,
  between,
  NON_NEGATIVE,
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
  default: "gaussian",
  help: "localization kernel",
};
const BANDWIDTH_FLAG: FlagSpec = {
  name: "bandwidth",
  kind: "string",
  value: "H",
  default: "scott",
  help: "a number, one number per feature (comma-separated), scott, silverman or cv",
};
const kFlag = (fallback: number): FlagSpec => ({
  name: "k",
  kind: "integer",
  constraint: AT_LEAST_ONE,
  default: fallback,
  help: "number of neighbours",
});
const WEIGHTS_FLAG: FlagSpec = {
  name: "weights",
  kind: "string",
  value: "NAME",
  choices: NEIGHBOUR_WEIGHTS,
  default: "uniform",
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
      default: 1,
      help: "polynomial degree",
    },
  ],
  mode: [...SUPERVISED, KERNEL_FLAG, BANDWIDTH_FLAG],
  logistic: [...SUPERVISED, KERNEL_FLAG, BANDWIDTH_FLAG],
  "knn-regress": [...SUPERVISED, kFlag(5), WEIGHTS_FLAG],
  "knn-classify": [...SUPERVISED, kFlag(5), WEIGHTS_FLAG],
  meanshift: [
    ...UNSUPERVISED,
    { ...KERNEL_FLAG, choices: MEAN_SHIFT_KERNELS, default: "flat", help: "MeanShift kernel" },
    {
      name: "bandwidth",
      kind: "string",
      value: "H",
      default: "estimate",
      help: "a number, or estimate (scikit-learn's estimate_bandwidth, quantile 0.3)",
    },
  ],
  lle: [
    ...UNSUPERVISED,
    kFlag(5),
    {
      name: "components",
      kind: "integer",
      constraint: AT_LEAST_ONE,
      default: 2,
      help: "embedding dimensions",
    },
    {
      name: "reg",
      kind: "number",
      constraint: NON_NEGATIVE,
      default: 1e-3,
      help: "regularization of the local Gram matrices",
    },
  ],
};

/** `--bandwidth` of the kernel methods. */
function bandwidthChoice(text: string): BandwidthChoice {
  if (text === "scott" || text === "silverman" || text === "cv") return text;
  const values = text.split(",").map((part) => (part.trim() === "" ? NaN : Number(part)));
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
  const h = Number(text);
  if (!(text.trim() !== "" && Number.isFinite(h) && h > 0))
    throw new UsageError(`--bandwidth must be a positive number or estimate, got '${text}'`);
  return h;
}

function runMethod(method: string, flags: FlagValues): string {
  const command = `localist local ${method}`;
  const trainPath = flags.train as string | undefined;
  if (trainPath === undefined) throw new UsageError(`'${command}' needs --train FILE`);
  const { supervised } = LOCAL_METHODS[method];
  const target = flags.target as string | undefined;
  if (supervised && target === undefined)
    throw new UsageError(`'${command}' needs --target COLUMN`);
  const isMeanShift = method === "meanshift";
  if (flags.bandwidth === "cv" && (method === "mode" || method === "logistic"))
    throw new UsageError(
      `--bandwidth cv cross-validates a numeric target; '${command}' predicts classes: give a number, scott or silverman`,
    );
  const features = (flags.features as string | undefined)?.split(",").map((c) => c.trim());
  const repeated = features?.find((name, i) => name === "" || features.indexOf(name) !== i);
  if (repeated !== undefined)
    throw new UsageError(
      repeated === ""
        ? `--features has an empty column name: '${String(flags.features)}'`
        : `--features names column '${repeated}' twice`,
    );
  const bandwidth = flags.bandwidth as string | undefined;
  const options = {
    target,
    features,
    kernel: (isMeanShift ? "gaussian" : (flags.kernel ?? "gaussian")) as DistanceProfile,
    bandwidth: !isMeanShift && bandwidth !== undefined ? bandwidthChoice(bandwidth) : "scott",
    degree: (flags.degree as number | undefined) ?? 1,
    k: (flags.k as number | undefined) ?? 5,
    weights: (flags.weights ?? "uniform") as NeighbourWeighting,
    meanShiftKernel: (isMeanShift ? flags.kernel : "flat") as MeanShiftKernel,
    meanShiftBandwidth: isMeanShift ? meanShiftBandwidth(bandwidth as string) : "estimate",
    components: (flags.components as number | undefined) ?? 2,
    regularization: (flags.reg as number | undefined) ?? 1e-3,
  } as const;
  const train = readCsv(trainPath);
  const query = flags.query === undefined ? undefined : readCsv(flags.query as string);
  const result = runLocalMethod(method, train, query, options);
  for (const note of result.notes) process.stderr.write(`${note}\n`);
  return formatCsv(result.header, result.rows);
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

export const LOCAL_SUMMARY =
  "classical local methods (Nadaraya–Watson, local polynomial, k-NN, MeanShift, LLE) on CSV";

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
