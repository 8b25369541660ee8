/**
 * What every local method on tables shares: the options, choosing the feature and target columns,
 * class labels, resolving the bandwidth, and the result as a table (./methods.ts holds the
 * methods themselves).
 */
import { check, LocalistError } from "../../engine/errors.js";
import { fromHost, np, toFloat64, type JaxArray } from "../../engine/engine.js";
import { distanceKernel, type DistanceProfile } from "../../kernels/distance.js";
import type { LogKernel } from "../../kernels/logKernel.js";
import { scottBandwidth, silvermanBandwidth } from "../../kernels/bandwidthRules.js";
import { checkSupported, localMean } from "../../classical/localMean.js";
import type { NeighbourWeighting } from "../../classical/neighbours.js";
import type { MeanShiftKernel } from "../../classical/meanShift.js";
import { crossValidatedBandwidth } from "../../classical/bandwidthSelection.js";
import { numericColumns, type Table } from "../../io/csv.js";

/** A bandwidth: fixed (one value, or one per feature) or chosen from the data. */
export type BandwidthChoice = number | number[] | "scott" | "silverman" | "cv";

/** Every method's options in one object; each method reads its own. */
export interface LocalMethodOptions {
  /** Told after each block of queries: rows done, and the total (a progress display). */
  onProgress?: (done: number, total: number) => void;
  /** The target column (required by the supervised methods; left out of the features otherwise). */
  target?: string;
  /** Feature columns (default: every column but the target). */
  features?: string[];
  kernel: DistanceProfile;
  bandwidth: BandwidthChoice;
  degree: number;
  k: number;
  weights: NeighbourWeighting;
  meanShiftKernel: MeanShiftKernel;
  /** MeanShift bandwidth, or "estimate" (scikit-learn's estimate_bandwidth, quantile 0.3). */
  meanShiftBandwidth: number | "estimate";
  components: number;
  regularization: number;
  /** Kernel ridge: λ ≥ 0. */
  ridge: number;
  /** Gaussian process: the noise variance σ² ≥ 0; denoising: the noise level σ > 0. */
  noise: number;
  /** Gaussian process: the prior variance a > 0. */
  amplitude: number;
  /** TSK: the number of rules for k-means, and its seed. */
  rules: number;
  seed: number;
  /** TSK: rule centres as a table with the feature columns (instead of k-means). */
  centres?: Table;
  /** Hopfield: the inverse temperature β > 0. */
  beta: number;
  /** Hopfield and denoising: the number of updates. */
  steps: number;
  /** Denoising: the gaussian kernel's bandwidth h (default: the noise level). */
  denoiseBandwidth?: number;
}

/** The options a method falls back on when not given: written once, shown as the flags' defaults. */
export const LOCAL_DEFAULTS = {
  kernel: "gaussian",
  bandwidth: "scott",
  degree: 1,
  k: 5,
  weights: "uniform",
  meanShiftKernel: "flat",
  meanShiftBandwidth: "estimate",
  components: 2,
  regularization: 1e-3,
  ridge: 1,
  noise: 1e-10,
  amplitude: 1,
  rules: 3,
  seed: 0,
  beta: 1,
  steps: 1,
} as const satisfies Omit<
  LocalMethodOptions,
  "onProgress" | "target" | "features" | "centres" | "denoiseBandwidth"
>;

/** The options given (undefined values ignored) over LOCAL_DEFAULTS. */
export function withDefaults(given: Partial<LocalMethodOptions>): LocalMethodOptions {
  const defined = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
  return { ...LOCAL_DEFAULTS, ...defined } as LocalMethodOptions;
}

/** A method's output: a table, and notes for the user (the chosen bandwidth, the clusters found). */
export interface LocalMethodResult {
  header: string[];
  rows: (string | number)[][];
  notes: string[];
}

/** What a method runs on. */
export interface Inputs {
  train: Table;
  /** The query table (the training table when none is given). */
  query: Table;
  options: LocalMethodOptions;
}

/** One method of `localist local`. */
export interface Method {
  description: string;
  /** Needs a target column. */
  supervised: boolean;
  /** Asynchronous where the method computes on the engine's threads (the kernel methods). */
  run(inputs: Inputs): LocalMethodResult | Promise<LocalMethodResult>;
}

/** The feature columns of a table as a row-major matrix on the host. */
export interface Data {
  features: string[];
  x: Float64Array;
  rows: number;
}

/** The chosen feature columns (default: all but the target), checked to exist and be numeric. */
export function featureData(table: Table, target: string | undefined, chosen?: string[]): Data {
  const columns = `(columns: ${table.header.join(", ")})`;
  if (target !== undefined)
    check(table.header.includes(target), `${table.path} has no column '${target}' ${columns}`);
  const features = chosen ?? table.header.filter((name) => name !== target);
  for (const name of features) {
    check(table.header.includes(name), `${table.path} has no column '${name}' ${columns}`);
    check(name !== target, `the target column '${name}' cannot also be a feature`);
  }
  check(features.length > 0, `${table.path} has no feature columns besides the target '${target}'`);
  return { features, x: numericColumns(table, features), rows: table.rows.length };
}

/** A row-major host matrix as a float64 array (rows, cols). */
export function asMatrix(data: Float64Array, rows: number, cols: number): JaxArray {
  return fromHost(data, [rows, cols], np.float64);
}

/** Class labels of the target column: distinct values sorted (numerically if all numbers). */
export function classLabels(
  table: Table,
  target: string,
): { labels: Int32Array; classes: string[] } {
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

/** The bandwidth to use: as given, or by a rule (Scott, Silverman) or cross-validation, noted. */
export function resolveBandwidth(
  choice: BandwidthChoice,
  train: Data,
  targets: Float64Array | undefined,
  profile: DistanceProfile,
  notes: string[],
): number[] | number {
  if (typeof choice === "number") return choice;
  if (Array.isArray(choice)) {
    check(
      choice.length === train.features.length,
      `--bandwidth has ${choice.length} values but there are ${train.features.length} feature columns`,
    );
    return choice;
  }
  const x = asMatrix(train.x, train.rows, train.features.length);
  try {
    if (choice === "scott") return scottBandwidth(x);
    if (choice === "silverman") return silvermanBandwidth(x);
    check(targets !== undefined, "--bandwidth cv needs a numeric target to cross-validate");
    const y = asMatrix(targets, train.rows, 1);
    const result = crossValidatedBandwidth(profile, x, y);
    y.dispose();
    notes.push(
      `cross-validated bandwidth: ${result.bandwidth.map((h) => h.toPrecision(6)).join(", ")}`,
    );
    return result.bandwidth;
  } finally {
    x.dispose();
  }
}

/** The supervised set-up shared by the regressors and classifiers. */
export function supervised({ train, query, options }: Inputs) {
  const target = options.target as string;
  const data = featureData(train, target, options.features);
  const d = data.features.length;
  const queryX = numericColumns(query, data.features);
  return {
    target,
    data,
    keys: () => asMatrix(data.x, data.rows, d),
    queries: () => asMatrix(queryX, query.rows.length, d),
  };
}

/** A one-column result. */
export function column(header: string, values: ArrayLike<string | number>): LocalMethodResult {
  return { header: [header], rows: Array.from(values, (v) => [v]), notes: [] };
}

/**
 * Every prediction is a number, or one line saying why not: a query with no training point of
 * positive weight (found by the local mean of ones, only on this error path), or a singular local
 * fit (weights there, but too few distinct points under them for the model).
 */
export function checkFitted(
  predictions: Float64Array,
  s: ReturnType<typeof supervised>,
  kernel: LogKernel | undefined,
): void {
  if (predictions.every(Number.isFinite)) return;
  if (kernel) {
    const ones = fromHost(new Float64Array(s.data.rows).fill(1), [s.data.rows, 1], np.float64);
    checkSupported(toFloat64(localMean(kernel, s.keys(), ones, s.queries())), 1, kernel.name);
  }
  throw new LocalistError(
    "the fit is singular for some query (too few distinct points nearby); increase the bandwidth or lower --degree",
  );
}

/**
 * A regression method: `predict` gives one value per query, with the method's distance kernel when
 * it has one; rows with no support (kernel methods) or a singular fit are errors.
 */
export function regression(
  usesKernel: boolean,
  predict: (
    s: ReturnType<typeof supervised>,
    y: JaxArray,
    kernel: LogKernel | undefined,
    options: LocalMethodOptions,
  ) => Float64Array | Promise<Float64Array>,
): Method["run"] {
  return async (inputs) => {
    const s = supervised(inputs);
    const yHost = numericColumns(inputs.train, [s.target]);
    const notes: string[] = [];
    const { kernel: profile, bandwidth } = inputs.options;
    const kernel = usesKernel
      ? distanceKernel(profile, resolveBandwidth(bandwidth, s.data, yHost, profile, notes))
      : undefined;
    const predictions = await predict(s, asMatrix(yHost, s.data.rows, 1), kernel, inputs.options);
    checkFitted(predictions, s, kernel);
    return { ...column(s.target, predictions), notes };
  };
}
