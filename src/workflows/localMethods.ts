/**
 * The classical local methods on tables (CSV files on the command line): choosing the feature and
 * target columns, resolving the bandwidth, running the method, and the result as a table. One
 * entry per method in `LOCAL_METHODS`; everything is computed before anything is returned, so a
 * failure leaves nothing half-written.
 */
import { check, LocalistError } from "../engine/errors.js";
import { fromHost, np, toFloat64, type JaxArray } from "../engine/engine.js";
import { distanceKernel, type DistanceProfile } from "../kernels/distance.js";
import type { LogKernel } from "../kernels/logKernel.js";
import { scottBandwidth, silvermanBandwidth } from "../kernels/bandwidthRules.js";
import { checkSupported, localMean, localMode } from "../classical/localMean.js";
import { localize } from "../classical/localize.js";
import { weightedPolynomialModel } from "../classical/polynomial.js";
import { weightedLogisticModel } from "../classical/logistic.js";
import { knnClassify, knnRegress, type NeighbourWeighting } from "../classical/neighbours.js";
import {
  estimateMeanShiftBandwidth,
  meanShift,
  type MeanShiftKernel,
} from "../classical/meanShift.js";
import { locallyLinearEmbedding } from "../classical/lle.js";
import { crossValidatedBandwidth } from "../classical/bandwidthSelection.js";
import { numericColumns, type Table } from "../io/csv.js";

/** A bandwidth: fixed (one value, or one per feature) or chosen from the data. */
export type BandwidthChoice = number | number[] | "scott" | "silverman" | "cv";

export interface LocalMethodOptions {
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
}

/** A method's output: a table, and notes for the user (the chosen bandwidth, the clusters found). */
export interface LocalMethodResult {
  header: string[];
  rows: (string | number)[][];
  notes: string[];
}

interface Inputs {
  train: Table;
  /** The query table (the training table when none is given). */
  query: Table;
  options: LocalMethodOptions;
}

interface Method {
  description: string;
  /** Needs a target column. */
  supervised: boolean;
  run(inputs: Inputs): LocalMethodResult;
}

interface Data {
  features: string[];
  x: Float64Array;
  rows: number;
}

function featureData(table: Table, target: string | undefined, chosen?: string[]): Data {
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

function asMatrix(data: Float64Array, rows: number, cols: number): JaxArray {
  return fromHost(data, [rows, cols], np.float64);
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
function supervised({ train, query, options }: Inputs) {
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

function column(header: string, values: ArrayLike<string | number>): LocalMethodResult {
  return { header: [header], rows: Array.from(values, (v) => [v]), notes: [] };
}

/**
 * A regression method: `predict` gives one value per query, with the method's distance kernel when
 * it has one; rows with no support (kernel methods) or a singular fit are errors.
 */
function regression(
  usesKernel: boolean,
  predict: (
    s: ReturnType<typeof supervised>,
    y: JaxArray,
    kernel: LogKernel | undefined,
    options: LocalMethodOptions,
  ) => Float64Array,
): Method["run"] {
  return (inputs) => {
    const s = supervised(inputs);
    const yHost = numericColumns(inputs.train, [s.target]);
    const notes: string[] = [];
    const { kernel: profile, bandwidth } = inputs.options;
    const kernel = usesKernel
      ? distanceKernel(profile, resolveBandwidth(bandwidth, s.data, yHost, profile, notes))
      : undefined;
    const predictions = predict(s, asMatrix(yHost, s.data.rows, 1), kernel, inputs.options);
    if (kernel) checkSupported(predictions, 1, kernel.name);
    if (predictions.some((v) => !Number.isFinite(v))) {
      throw new LocalistError(
        "the fit is singular for some query (too few distinct points nearby); increase the bandwidth or lower --degree",
      );
    }
    return { ...column(s.target, predictions), notes };
  };
}

function classifierKernel(inputs: Inputs, data: Data, notes: string[]) {
  const { kernel: profile, bandwidth } = inputs.options;
  return distanceKernel(profile, resolveBandwidth(bandwidth, data, undefined, profile, notes));
}

/** Runs a method; `query` defaults to the training table. */
export function runLocalMethod(
  method: string,
  train: Table,
  query: Table | undefined,
  options: LocalMethodOptions,
): LocalMethodResult {
  const entry = LOCAL_METHODS[method];
  check(entry !== undefined, `unknown local method '${method}'`);
  return entry.run({ train, query: query ?? train, options });
}

export const LOCAL_METHODS: Record<string, Method> = {
  mean: {
    description: "Nadaraya–Watson regression: the kernel-weighted mean of the target",
    supervised: true,
    run: regression(true, (s, y, kernel) =>
      toFloat64(localMean(kernel as LogKernel, s.keys(), y, s.queries())),
    ),
  },
  poly: {
    description: "local polynomial regression (degree 0, 1 or 2) by kernel-weighted least squares",
    supervised: true,
    run: regression(true, (s, y, kernel, options) => {
      const model = weightedPolynomialModel(s.keys(), y, options.degree);
      const predictions = toFloat64(localize(model, kernel as LogKernel, s.keys(), s.queries()));
      model.dispose();
      return predictions;
    }),
  },
  mode: {
    description: "kernel classification: the class with the largest kernel mass",
    supervised: true,
    run(inputs) {
      const s = supervised(inputs);
      const notes: string[] = [];
      const { labels, classes } = classLabels(inputs.train, s.target);
      const kernel = classifierKernel(inputs, s.data, notes);
      const result = localMode(kernel, s.keys(), labels, classes.length, s.queries());
      checkSupported(toFloat64(result.probabilities), classes.length, kernel.name);
      return {
        ...column(
          s.target,
          Array.from(result.classes, (c) => classes[c]),
        ),
        notes,
      };
    },
  },
  logistic: {
    description: "local logistic regression (two classes): P(second class) per query",
    supervised: true,
    run(inputs) {
      const s = supervised(inputs);
      const notes: string[] = [];
      const { labels, classes } = classLabels(inputs.train, s.target);
      check(
        classes.length === 2,
        `local logistic regression needs exactly 2 classes in '${s.target}', found ${classes.length}`,
      );
      const kernel = classifierKernel(inputs, s.data, notes);
      const model = weightedLogisticModel(s.keys(), labels);
      const probabilities = toFloat64(localize(model, kernel, s.keys(), s.queries()));
      model.dispose();
      checkSupported(probabilities, 1, kernel.name);
      return { ...column(`P(${s.target}=${classes[1]})`, probabilities), notes };
    },
  },
  "knn-regress": {
    description: "k-nearest-neighbour regression",
    supervised: true,
    run: regression(false, (s, y, _kernel, options) =>
      toFloat64(knnRegress(s.keys(), y, s.queries(), { k: options.k, weights: options.weights })),
    ),
  },
  "knn-classify": {
    description: "k-nearest-neighbour classification",
    supervised: true,
    run(inputs) {
      const s = supervised(inputs);
      const { labels, classes } = classLabels(inputs.train, s.target);
      const result = knnClassify(s.keys(), labels, classes.length, s.queries(), {
        k: inputs.options.k,
        weights: inputs.options.weights,
      });
      return column(
        s.target,
        Array.from(result.classes, (c) => classes[c]),
      );
    },
  },
  meanshift: {
    description: "MeanShift clustering: a cluster label per training row",
    supervised: false,
    run({ train, options }) {
      const data = featureData(train, options.target, options.features);
      const x = asMatrix(data.x, data.rows, data.features.length);
      try {
        const chosen = options.meanShiftBandwidth;
        const bandwidth = chosen === "estimate" ? estimateMeanShiftBandwidth(x) : chosen;
        check(
          bandwidth > 0,
          `the estimated bandwidth is 0 (${data.rows} rows are too few for quantile 0.3); give --bandwidth H`,
        );
        const result = meanShift(x, { bandwidth, kernel: options.meanShiftKernel });
        return {
          ...column("label", result.labels),
          notes: [
            `meanshift: ${result.clusterCount} clusters (bandwidth ${bandwidth.toPrecision(6)})`,
          ],
        };
      } finally {
        x.dispose();
      }
    },
  },
  lle: {
    description: "locally linear embedding: coordinates per training row",
    supervised: false,
    run({ train, options }) {
      const data = featureData(train, options.target, options.features);
      const x = asMatrix(data.x, data.rows, data.features.length);
      try {
        const { components } = options;
        const embedding = toFloat64(
          locallyLinearEmbedding(x, {
            neighbours: options.k,
            components,
            regularization: options.regularization,
          }),
        );
        return {
          header: Array.from({ length: components }, (_, c) => `component${c + 1}`),
          rows: Array.from({ length: data.rows }, (_, r) =>
            Array.from(embedding.subarray(r * components, (r + 1) * components)),
          ),
          notes: [],
        };
      } finally {
        x.dispose();
      }
    },
  },
};
