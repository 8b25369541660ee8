/**
 * `localist local <method>`: the classical local methods on CSV files.
 * Everything is computed before anything is written, so a failure prints nothing on stdout.
 */
import { check, LocalistError } from "../engine/errors.js";
import { fromHost, np, toFloat64, type JaxArray } from "../engine/engine.js";
import { DISTANCE_PROFILES, distanceKernel, type DistanceProfile } from "../kernels/distance.js";
import { scottBandwidth, silvermanBandwidth } from "../kernels/bandwidthRules.js";
import { checkSupported, localMean, localMode } from "../classical/localMean.js";
import { localize } from "../classical/localize.js";
import { weightedPolynomialModel } from "../classical/polynomial.js";
import { weightedLogisticModel } from "../classical/logistic.js";
import {
  knnClassify,
  knnRegress,
  NEIGHBOUR_WEIGHTS,
  type NeighbourWeighting,
} from "../classical/neighbours.js";
import {
  estimateMeanShiftBandwidth,
  MEAN_SHIFT_KERNELS,
  meanShift,
  type MeanShiftKernel,
} from "../classical/meanShift.js";
import { locallyLinearEmbedding } from "../classical/lle.js";
import { crossValidatedBandwidth } from "../classical/bandwidthSelection.js";
import { formatCsv, numericColumns, readCsv, type Table } from "../io/csv.js";
import { formatHelp, parseFlags, UsageError, type FlagSpec, type FlagValues } from "./flags.js";

export const LOCAL_METHODS = {
  mean: "Nadaraya–Watson regression: the kernel-weighted mean of the target",
  poly: "local polynomial regression (degree 0, 1 or 2) by kernel-weighted least squares",
  mode: "kernel classification: the class with the largest kernel mass",
  logistic: "local logistic regression (two classes): P(second class) per query",
  "knn-regress": "k-nearest-neighbour regression",
  "knn-classify": "k-nearest-neighbour classification",
  meanshift: "MeanShift clustering: a cluster label per training row",
  lle: "locally linear embedding: coordinates per training row",
} as const;
type Method = keyof typeof LOCAL_METHODS;

const common: FlagSpec[] = [
  { name: "train", kind: "string", value: "FILE", help: "training CSV with a header row" },
  {
    name: "query",
    kind: "string",
    value: "FILE",
    help: "query CSV (default: the training features)",
  },
  { name: "target", kind: "string", value: "COLUMN", help: "target column" },
  {
    name: "features",
    kind: "string",
    value: "COLS",
    help: "feature columns, comma-separated (default: all but the target)",
  },
];
const kernelFlag: FlagSpec = {
  name: "kernel",
  kind: "string",
  value: "NAME",
  choices: DISTANCE_PROFILES,
  default: "gaussian",
  help: "localization kernel",
};
const bandwidthFlag: FlagSpec = {
  name: "bandwidth",
  kind: "string",
  value: "H",
  default: "scott",
  help: "a number, one number per feature (comma-separated), scott, silverman or cv",
};
const kFlag = (fallback: number): FlagSpec => ({
  name: "k",
  kind: "integer",
  default: fallback,
  help: "number of neighbours",
});
const weightsFlag: FlagSpec = {
  name: "weights",
  kind: "string",
  value: "NAME",
  choices: NEIGHBOUR_WEIGHTS,
  default: "uniform",
  help: "neighbour weights",
};

/** For the unsupervised methods: --target only names a column to leave out. */
const excludedColumnFlag: FlagSpec = {
  name: "target",
  kind: "string",
  value: "COLUMN",
  help: "a column to leave out of the features",
};

const methodFlags: Record<Method, FlagSpec[]> = {
  mean: [...common, kernelFlag, bandwidthFlag],
  poly: [
    ...common,
    kernelFlag,
    bandwidthFlag,
    { name: "degree", kind: "integer", default: 1, help: "polynomial degree: 0, 1 or 2" },
  ],
  mode: [...common, kernelFlag, bandwidthFlag],
  logistic: [...common, kernelFlag, bandwidthFlag],
  "knn-regress": [...common, kFlag(5), weightsFlag],
  "knn-classify": [...common, kFlag(5), weightsFlag],
  meanshift: [
    common[0],
    excludedColumnFlag,
    common[3],
    { ...kernelFlag, choices: MEAN_SHIFT_KERNELS, default: "flat", help: "MeanShift kernel" },
    {
      name: "bandwidth",
      kind: "string",
      value: "H",
      default: "estimate",
      help: "a number, or estimate (scikit-learn's estimate_bandwidth, quantile 0.3)",
    },
  ],
  lle: [
    common[0],
    excludedColumnFlag,
    common[3],
    kFlag(5),
    { name: "components", kind: "integer", default: 2, help: "embedding dimensions" },
    {
      name: "reg",
      kind: "number",
      default: 1e-3,
      help: "regularization of the local Gram matrices",
    },
  ],
};

export function localHelp(): string {
  const width = Math.max(...Object.keys(LOCAL_METHODS).map((m) => m.length));
  return [
    "usage: localist local <method> --train FILE [--query FILE] [--target COLUMN] [options]",
    "",
    "Classical local methods on CSV data; predictions are written as CSV on stdout.",
    "",
    "methods:",
    ...Object.entries(LOCAL_METHODS).map(([m, text]) => `  ${m.padEnd(width)}  ${text}`),
    "",
    "Run 'localist local <method> --help' for a method's options.",
  ].join("\n");
}

interface Data {
  features: string[];
  x: Float64Array;
  rows: number;
  table: Table;
}

function featureData(table: Table, target: string | undefined, chosen: string | undefined): Data {
  const columns = `(columns: ${table.header.join(", ")})`;
  if (target !== undefined)
    check(table.header.includes(target), `${table.path} has no column '${target}' ${columns}`);
  const features =
    chosen === undefined
      ? table.header.filter((name) => name !== target)
      : chosen.split(",").map((c) => c.trim());
  for (const name of features) {
    check(table.header.includes(name), `${table.path} has no column '${name}' ${columns}`);
    check(name !== target, `the target column '${name}' cannot also be a feature`);
  }
  check(features.length > 0, `${table.path} has no feature columns besides the target '${target}'`);
  return { features, x: numericColumns(table, features), rows: table.rows.length, table };
}

function asMatrix(data: Float64Array, rows: number, cols: number): JaxArray {
  return fromHost(data, [rows, cols], np.float64);
}

function requireTarget(flags: FlagValues, method: string): string {
  const target = flags.target as string | undefined;
  if (target === undefined)
    throw new UsageError(`'localist local ${method}' needs --target COLUMN`);
  return target;
}

/** Class labels of the target column: distinct values sorted (numerically if all numbers). */
function classLabels(table: Table, target: string): { labels: Int32Array; classes: string[] } {
  const at = table.header.indexOf(target);
  const cells = table.rows.map((row) => row[at]);
  cells.forEach((cell, r) =>
    check(cell !== "", `${table.path} row ${r + 2}, column '${target}': the label is empty`),
  );
  const distinct = [...new Set(cells)];
  const numeric = distinct.every((c) => Number.isFinite(Number(c)));
  distinct.sort(numeric ? (a, b) => Number(a) - Number(b) : undefined);
  const index = new Map(distinct.map((c, i) => [c, i]));
  return { labels: Int32Array.from(cells, (c) => index.get(c) as number), classes: distinct };
}

function resolveBandwidth(
  spec: string,
  train: Data,
  targets: Float64Array | undefined,
  profile: DistanceProfile,
): number[] | number {
  const x = asMatrix(train.x, train.rows, train.features.length);
  try {
    if (spec === "scott") return scottBandwidth(x);
    if (spec === "silverman") return silvermanBandwidth(x);
    if (spec === "cv") {
      check(targets !== undefined, "--bandwidth cv needs a numeric target to cross-validate");
      const y = asMatrix(targets, train.rows, 1);
      const result = crossValidatedBandwidth(profile, x, y);
      y.dispose();
      process.stderr.write(
        `cross-validated bandwidth: ${result.bandwidth.map((h) => h.toPrecision(6)).join(", ")}\n`,
      );
      return result.bandwidth;
    }
    const values = spec.split(",").map((part) => (part.trim() === "" ? NaN : Number(part)));
    if (values.some((h) => !Number.isFinite(h))) {
      throw new UsageError(
        `--bandwidth must be a number, a comma-separated list, scott, silverman or cv; got '${spec}'`,
      );
    }
    values.forEach((h) => {
      if (h <= 0) throw new UsageError(`--bandwidth must be > 0, got ${h}`);
    });
    if (values.length === 1) return values[0];
    check(
      values.length === train.features.length,
      `--bandwidth has ${values.length} values but there are ${train.features.length} feature columns`,
    );
    return values;
  } finally {
    x.dispose();
  }
}

/** Runs `localist local …`; returns the CSV text to print. */
export function runLocal(args: string[]): string {
  const [method, ...rest] = args;
  if (method === undefined || method === "--help" || method === "-h") return localHelp();
  if (!(method in LOCAL_METHODS)) {
    throw new UsageError(
      `unknown method '${method}'; expected one of ${Object.keys(LOCAL_METHODS).join(", ")}`,
    );
  }
  const m = method as Method;
  const specs = methodFlags[m];
  const command = `localist local ${m}`;
  if (rest.includes("--help") || rest.includes("-h")) {
    return formatHelp(`${command} --train FILE [options]`, LOCAL_METHODS[m], specs);
  }
  const { flags, positionals } = parseFlags(rest, specs, command);
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument '${positionals[0]}' for '${command}'`);
  const trainPath = flags.train as string | undefined;
  if (trainPath === undefined) throw new UsageError(`'${command}' needs --train FILE`);
  const table = readCsv(trainPath);

  if (m === "meanshift" || m === "lle") {
    const data = featureData(
      table,
      flags.target as string | undefined,
      flags.features as string | undefined,
    );
    const x = asMatrix(data.x, data.rows, data.features.length);
    try {
      if (m === "meanshift") {
        const spec = flags.bandwidth as string;
        const bandwidth = spec === "estimate" ? estimateMeanShiftBandwidth(x) : Number(spec);
        if (spec !== "estimate" && !(Number.isFinite(bandwidth) && bandwidth > 0)) {
          throw new UsageError(`--bandwidth must be a positive number or estimate, got '${spec}'`);
        }
        check(
          bandwidth > 0,
          `the estimated bandwidth is 0 (${data.rows} rows are too few for quantile 0.3); give --bandwidth H`,
        );
        const result = meanShift(x, { bandwidth, kernel: flags.kernel as MeanShiftKernel });
        process.stderr.write(
          `meanshift: ${result.clusterCount} clusters (bandwidth ${bandwidth.toPrecision(6)})\n`,
        );
        return formatCsv(
          ["label"],
          Array.from(result.labels, (label) => [label]),
        );
      }
      const components = flags.components as number;
      const embedding = toFloat64(
        locallyLinearEmbedding(x, {
          neighbours: flags.k as number,
          components,
          regularization: flags.reg as number,
        }),
      );
      const header = Array.from({ length: components }, (_, c) => `component${c + 1}`);
      return formatCsv(
        header,
        Array.from({ length: data.rows }, (_, r) =>
          Array.from(embedding.subarray(r * components, (r + 1) * components)),
        ),
      );
    } finally {
      x.dispose();
    }
  }

  const target = requireTarget(flags, m);
  const train = featureData(table, target, flags.features as string | undefined);
  const d = train.features.length;
  const queryTable = flags.query === undefined ? table : readCsv(flags.query as string);
  const queryX = numericColumns(queryTable, train.features);
  const q = queryTable.rows.length;
  const keys = () => asMatrix(train.x, train.rows, d);
  const queries = () => asMatrix(queryX, q, d);
  const classifier = m === "mode" || m === "knn-classify" || m === "logistic";

  if (classifier) {
    const { labels, classes } = classLabels(table, target);
    if (m === "knn-classify") {
      const result = knnClassify(keys(), labels, classes.length, queries(), {
        k: flags.k as number,
        weights: flags.weights as NeighbourWeighting,
      });
      return formatCsv(
        [target],
        Array.from(result.classes, (c) => [classes[c]]),
      );
    }
    const profile = flags.kernel as DistanceProfile;
    const bandwidth = resolveBandwidth(flags.bandwidth as string, train, undefined, profile);
    const kernel = distanceKernel(profile, bandwidth);
    if (m === "mode") {
      const result = localMode(kernel, keys(), labels, classes.length, queries());
      checkSupported(toFloat64(result.probabilities), classes.length, kernel.name);
      return formatCsv(
        [target],
        Array.from(result.classes, (c) => [classes[c]]),
      );
    }
    check(
      classes.length === 2,
      `local logistic regression needs exactly 2 classes in '${target}', found ${classes.length}`,
    );
    const model = weightedLogisticModel(keys(), labels);
    const probabilities = toFloat64(localize(model, kernel, keys(), queries()));
    model.dispose();
    checkSupported(probabilities, 1, kernel.name);
    return formatCsv(
      [`P(${target}=${classes[1]})`],
      Array.from(probabilities, (p) => [p]),
    );
  }

  const y = numericColumns(table, [target]);
  let predictions: Float64Array;
  if (m === "knn-regress") {
    predictions = toFloat64(
      knnRegress(keys(), asMatrix(y, train.rows, 1), queries(), {
        k: flags.k as number,
        weights: flags.weights as NeighbourWeighting,
      }),
    );
  } else {
    const profile = flags.kernel as DistanceProfile;
    const bandwidth = resolveBandwidth(flags.bandwidth as string, train, y, profile);
    const kernel = distanceKernel(profile, bandwidth);
    if (m === "mean") {
      predictions = toFloat64(localMean(kernel, keys(), asMatrix(y, train.rows, 1), queries()));
    } else {
      const model = weightedPolynomialModel(
        keys(),
        asMatrix(y, train.rows, 1),
        flags.degree as number,
      );
      predictions = toFloat64(localize(model, kernel, keys(), queries()));
      model.dispose();
    }
    checkSupported(predictions, 1, kernel.name);
  }
  if (predictions.some((v) => !Number.isFinite(v))) {
    throw new LocalistError(
      "the fit is singular for some query (too few distinct points nearby); increase the bandwidth or lower --degree",
    );
  }
  return formatCsv(
    [target],
    Array.from(predictions, (v) => [v]),
  );
}
