/**
 * The methods of the general theory on tables (`localist local kde|ridge|gp|tsk|hopfield|denoise`):
 * kernel density, kernel ridge and Gaussian-process regression, TSK fuzzy rules, modern Hopfield
 * retrieval and denoising, each an entry like those of ./methods.ts, each on the engine's threads
 * (the methods' asynchronous forms).
 */
import { check } from "../../engine/errors.js";
import { readAsync, toFloat64 } from "../../engine/engine.js";
import { distanceKernel } from "../../kernels/distance.js";
import type { LogKernel } from "../../kernels/logKernel.js";
import { kernelDensityAsync } from "../../classical/density.js";
import { kernelRidgeAsync } from "../../classical/kernelRidge.js";
import { gaussianProcessAsync } from "../../classical/gaussianProcess.js";
import { tskModelAsync } from "../../classical/fuzzy.js";
import { hopfieldRetrieveAsync } from "../../classical/hopfield.js";
import { denoiseAsync } from "../../classical/denoise.js";
import { numericColumns, type Table } from "../../io/csv.js";
import {
  asMatrix,
  column,
  featureData,
  regression,
  resolveBandwidth,
  supervised,
  type Data,
  type Inputs,
  type LocalMethodResult,
  type Method,
} from "./tables.js";

/** The progress callback of a run, for the methods whose steps can run long. */
function onProgress({ options }: Inputs): { onProgress?: (done: number, total: number) => void } {
  return options.onProgress ? { onProgress: options.onProgress } : {};
}

/** The feature matrices of an unsupervised method: training rows and query rows (default: the training rows). */
function unsupervised({ train, query, options }: Inputs) {
  const data = featureData(train, options.target, options.features);
  const d = data.features.length;
  const queryX = query === train ? data.x : numericColumns(query, data.features);
  return {
    data,
    keys: () => asMatrix(data.x, data.rows, d),
    queries: () => asMatrix(queryX, query.rows.length, d),
    queryRows: query.rows.length,
  };
}

/** Rows of a (Q, D) result as a table with the feature columns' names. */
function featureTable(data: Data, values: Float64Array, notes: string[] = []): LocalMethodResult {
  const d = data.features.length;
  return {
    header: data.features,
    rows: Array.from({ length: values.length / d }, (_, r) =>
      Array.from(values.subarray(r * d, (r + 1) * d)),
    ),
    notes,
  };
}

/** The kernel of the kernel-matrix methods, with its bandwidth resolved from the training data. */
function resolvedKernel(inputs: Inputs, data: Data, notes: string[]): LogKernel {
  const { kernel, bandwidth } = inputs.options;
  return distanceKernel(kernel, resolveBandwidth(bandwidth, data, undefined, kernel, notes));
}

/** "0.25" or "(0.25, 1.5)": a rule centre for the notes. */
function point(values: ArrayLike<number>): string {
  const parts = Array.from(values, (v) => Number(v.toPrecision(4)));
  return parts.length === 1 ? String(parts[0]) : `(${parts.join(", ")})`;
}

function tskNotes(
  centres: Float64Array,
  consequents: Float64Array,
  features: string[],
  target: string,
  centresTable: Table | undefined,
  seed: number,
): string[] {
  const d = features.length;
  const rules = centres.length / d;
  const origin = centresTable ? `from ${centresTable.path}` : `by k-means, seed ${seed}`;
  return [
    `tsk: ${rules} rule${rules === 1 ? "" : "s"} (centres ${origin})`,
    ...Array.from({ length: rules }, (_, r) => {
      const terms = features.map((name, k) => {
        const slope = Number(consequents[r * (1 + d) + 1 + k].toPrecision(4));
        return `${slope < 0 ? "−" : "+"} ${Math.abs(slope)}·${name}`;
      });
      const intercept = Number(consequents[r * (1 + d)].toPrecision(4));
      return `  rule ${r + 1}: if x ≈ ${point(centres.subarray(r * d, r * d + d))} then ${target} = ${intercept} ${terms.join(" ")}`;
    }),
  ];
}

/** The methods of the general theory, by their name on the command line. */
export const THEORY_METHODS: Record<string, Method> = {
  kde: {
    description: "kernel density estimation: the log-density of each query row",
    supervised: false,
    async run(inputs) {
      const u = unsupervised(inputs);
      const notes: string[] = [];
      const { kernel, bandwidth } = inputs.options;
      const h = resolveBandwidth(bandwidth, u.data, undefined, kernel, notes);
      const logDensity = toFloat64(
        await kernelDensityAsync(kernel, h, u.keys(), u.queries(), {
          ...(inputs.options.onProgress ? { onProgress: inputs.options.onProgress } : {}),
        }),
      );
      const empty = logDensity.filter((v) => v === -Infinity).length;
      if (empty > 0)
        notes.push(
          `kde: ${empty} query row${empty === 1 ? " has" : "s have"} no training point within the kernel's support: log-density -Infinity`,
        );
      return { ...column("log_density", logDensity), notes };
    },
  },
  ridge: {
    description: "kernel ridge regression: f(x) = k(x)ᵀ(K + λI)⁻¹y",
    supervised: true,
    run: regression(true, async (s, y, kernel, options) => {
      const model = await kernelRidgeAsync(kernel as LogKernel, s.keys(), y, {
        ridge: options.ridge,
      });
      const predictions = toFloat64(await model.predictAsync(s.queries()));
      model.dispose();
      return predictions;
    }),
  },
  gp: {
    description: "Gaussian-process regression: posterior mean and standard deviation",
    supervised: true,
    async run(inputs) {
      const s = supervised(inputs);
      const notes: string[] = [];
      const kernel = resolvedKernel(inputs, s.data, notes);
      const y = asMatrix(numericColumns(inputs.train, [s.target]), s.data.rows, 1);
      const { noise, amplitude } = inputs.options;
      const model = await gaussianProcessAsync(kernel, s.keys(), y, { noise, amplitude });
      const { mean, std } = await model.predictAsync(s.queries());
      const [means, stds] = [toFloat64(mean), toFloat64(std)];
      model.dispose();
      return {
        header: [s.target, `${s.target}_std`],
        rows: Array.from(means, (m, r) => [m, stds[r]]),
        notes,
      };
    },
  },
  tsk: {
    description: "Takagi–Sugeno–Kang fuzzy rules: gaussian memberships, local linear consequents",
    supervised: true,
    async run(inputs) {
      const s = supervised(inputs);
      const notes: string[] = [];
      const { options } = inputs;
      const d = s.data.features.length;
      const width = resolveBandwidth(options.bandwidth, s.data, undefined, "gaussian", notes);
      const centres = options.centres;
      if (centres) check(centres.rows.length >= 1, `${centres.path} has no rule centres`);
      const model = await tskModelAsync(
        s.keys(),
        asMatrix(numericColumns(inputs.train, [s.target]), s.data.rows, 1),
        {
          width,
          rules: options.rules,
          seed: options.seed,
          centres: centres
            ? asMatrix(numericColumns(centres, s.data.features), centres.rows.length, d)
            : undefined,
        },
      );
      const predictions = Float64Array.from(await readAsync(model.predict(s.queries())));
      notes.push(
        ...tskNotes(
          model.centres,
          model.consequents,
          s.data.features,
          s.target,
          centres,
          options.seed,
        ),
      );
      model.dispose();
      return { ...column(s.target, predictions), notes };
    },
  },
  hopfield: {
    description: "modern Hopfield retrieval: each query row moved to Xᵀ softmax(β X ξ)",
    supervised: false,
    async run(inputs) {
      const u = unsupervised(inputs);
      const { beta, steps } = inputs.options;
      const retrieved = toFloat64(
        await hopfieldRetrieveAsync(u.keys(), u.queries(), { beta, steps, ...onProgress(inputs) }),
      );
      return featureTable(u.data, retrieved);
    },
  },
  denoise: {
    description: "denoising by Tweedie / MeanShift steps of the gaussian local mean",
    supervised: false,
    async run(inputs) {
      const u = unsupervised(inputs);
      const { noise, steps, denoiseBandwidth } = inputs.options;
      const bandwidth = denoiseBandwidth ?? noise;
      const denoised = toFloat64(
        await denoiseAsync(u.keys(), u.queries(), {
          bandwidth,
          noise,
          steps,
          ...onProgress(inputs),
        }),
      );
      return featureTable(u.data, denoised);
    },
  },
};
