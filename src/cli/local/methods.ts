/**
 * The classical local methods on tables (CSV files on the command line): one entry per method in
 * `LOCAL_METHODS`, each choosing its columns, resolving its bandwidth, running the method and
 * returning a table; everything is computed before anything is returned, so a failure leaves
 * nothing half-written. The methods of the general theory (density, kernel ridge, Gaussian
 * processes, fuzzy rules, Hopfield retrieval, denoising) are in ./theoryMethods.ts.
 */
import { check } from "../../engine/errors.js";
import { readAsync, toFloat64 } from "../../engine/engine.js";
import { distanceKernel } from "../../kernels/distance.js";
import type { LogKernel } from "../../kernels/logKernel.js";
import { checkSupported, localMeanAsync, localModeAsync } from "../../classical/localMean.js";
import { localizeAsync } from "../../classical/localize.js";
import { weightedPolynomialModel } from "../../classical/polynomial.js";
import { weightedLogisticModel } from "../../classical/logistic.js";
import { knnClassify, knnRegress } from "../../classical/neighbours.js";
import { estimateMeanShiftBandwidth, meanShiftAsync } from "../../classical/meanShift.js";
import { locallyLinearEmbeddingAsync } from "../../classical/lle.js";
import type { Table } from "../../io/csv.js";
import {
  asMatrix,
  checkFitted,
  classLabels,
  column,
  featureData,
  regression,
  resolveBandwidth,
  supervised,
  type Data,
  type Inputs,
  type LocalMethodOptions,
  type LocalMethodResult,
  type Method,
  withDefaults,
} from "./tables.js";
import { THEORY_METHODS } from "./theoryMethods.js";

export { LOCAL_DEFAULTS } from "./tables.js";
export type { BandwidthChoice, LocalMethodOptions, LocalMethodResult } from "./tables.js";

function classifierKernel(inputs: Inputs, data: Data, notes: string[]) {
  const { kernel: profile, bandwidth } = inputs.options;
  return distanceKernel(profile, resolveBandwidth(bandwidth, data, undefined, profile, notes));
}

/** The progress option of the chunked methods. */
function progress(options: LocalMethodOptions): { onProgress?: LocalMethodOptions["onProgress"] } {
  return options.onProgress ? { onProgress: options.onProgress } : {};
}

/**
 * Runs a method; `query` defaults to the training table, and options not given (or undefined) to
 * LOCAL_DEFAULTS. The kernel methods compute on the engine's threads (their asynchronous forms);
 * k-NN (a k-d tree on the host, or its own threads) and MeanShift's bandwidth estimate run on the
 * calling thread.
 */
export async function runLocalMethod(
  method: string,
  train: Table,
  query: Table | undefined,
  options: Partial<LocalMethodOptions>,
): Promise<LocalMethodResult> {
  const entry = LOCAL_METHODS[method];
  check(entry !== undefined, `unknown local method '${method}'`);
  return entry.run({ train, query: query ?? train, options: withDefaults(options) });
}

/** Every method of `localist local`, by its name on the command line. */
export const LOCAL_METHODS: Record<string, Method> = {
  mean: {
    description: "Nadaraya–Watson regression: the kernel-weighted mean of the target",
    supervised: true,
    run: regression(true, async (s, y, kernel, options) =>
      toFloat64(
        await localMeanAsync(kernel as LogKernel, s.keys(), y, s.queries(), progress(options)),
      ),
    ),
  },
  poly: {
    description: "local polynomial regression (degree 0, 1 or 2) by kernel-weighted least squares",
    supervised: true,
    run: regression(true, async (s, y, kernel, options) => {
      const model = weightedPolynomialModel(s.keys(), y, options.degree);
      const predictions = toFloat64(
        await localizeAsync(model, kernel as LogKernel, s.keys(), s.queries(), progress(options)),
      );
      model.dispose();
      return predictions;
    }),
  },
  mode: {
    description: "kernel classification: the class with the largest kernel mass",
    supervised: true,
    async run(inputs) {
      const s = supervised(inputs);
      const notes: string[] = [];
      const { labels, classes } = classLabels(inputs.train, s.target);
      const kernel = classifierKernel(inputs, s.data, notes);
      const result = await localModeAsync(
        kernel,
        s.keys(),
        labels,
        classes.length,
        s.queries(),
        progress(inputs.options),
      );
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
    async run(inputs) {
      const s = supervised(inputs);
      const notes: string[] = [];
      const { labels, classes } = classLabels(inputs.train, s.target);
      check(
        classes.length === 2,
        `local logistic regression needs exactly 2 classes in '${s.target}', found ${classes.length}`,
      );
      const kernel = classifierKernel(inputs, s.data, notes);
      const model = weightedLogisticModel(s.keys(), labels);
      const probabilities = toFloat64(
        await localizeAsync(model, kernel, s.keys(), s.queries(), progress(inputs.options)),
      );
      model.dispose();
      checkFitted(probabilities, s, kernel);
      return { ...column(`P(${s.target}=${classes[1]})`, probabilities), notes };
    },
  },
  "knn-regress": {
    description: "k-nearest-neighbour regression",
    supervised: true,
    run: regression(false, (s, y, _kernel, options) =>
      toFloat64(
        knnRegress(s.keys(), y, s.queries(), {
          k: options.k,
          weights: options.weights,
          ...progress(options),
        }),
      ),
    ),
  },
  "knn-classify": {
    description: "k-nearest-neighbour classification",
    supervised: true,
    run(inputs) {
      const s = supervised(inputs);
      const { labels, classes } = classLabels(inputs.train, s.target);
      const result = knnClassify(s.keys(), labels, classes.length, s.queries(), {
        ...progress(inputs.options),
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
    async run({ train, options }) {
      const data = featureData(train, options.target, options.features);
      const x = asMatrix(data.x, data.rows, data.features.length);
      try {
        const chosen = options.meanShiftBandwidth;
        const bandwidth = chosen === "estimate" ? estimateMeanShiftBandwidth(x) : chosen;
        check(
          bandwidth > 0,
          `the estimated bandwidth is 0 (${data.rows} rows are too few for quantile 0.3); give --bandwidth H`,
        );
        const result = await meanShiftAsync(x, { bandwidth, kernel: options.meanShiftKernel });
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
    async run({ train, options }) {
      const data = featureData(train, options.target, options.features);
      const x = asMatrix(data.x, data.rows, data.features.length);
      try {
        const { components } = options;
        const lazyEmbedding = await locallyLinearEmbeddingAsync(x, {
          neighbours: options.k,
          components,
          regularization: options.regularization,
        });
        // Read asynchronously too: the eigenvectors are computed at this read, on the threads.
        const embedding = Float64Array.from(await readAsync(lazyEmbedding));
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
  ...THEORY_METHODS,
};
