/**
 * `localist distreg fit | predict | cv`: distribution regression as a tool on the user's own bags —
 * fit one model on all of them and save it, predict the targets of new bags from a saved model,
 * and compare models by K-fold cross-validation. The work is the library's DistributionRegressor
 * (src/distreg/regressor.ts); here are the flags, the CSV output and the flag names in errors.
 */
import { crossValidate } from "../distreg/crossValidate.js";
import { MODEL_NAMES, type ModelName } from "../distreg/models.js";
import { DistributionRegressor, type FitReport } from "../distreg/regressor.js";
import { KME_HEADS, type KmeHead, type RegressorSpec } from "../distreg/spec.js";
import { LocalistError } from "../engine/errors.js";
import { readBagFiles, readBagsFile } from "../io/bags.js";
import { createProgress } from "../io/progress.js";
import type { SetPooling } from "../model/setConfig.js";
import { formatSpread, markdownTable, plainTable } from "../../experiments/distreg/summary.js";
import { THREADS_FLAG, type Command } from "./command.js";
import { DISTREG_FLAGS, nameList, withFlagNames } from "./distregFlags.js";
import {
  between,
  requireFlag,
  UsageError,
  seedFlag,
  type FlagSpec,
  type FlagValues,
} from "./flags.js";

/** The architecture and training flags of `localist distreg`, shared by fit and cv. */
const MODEL_FLAGS: FlagSpec[] = [
  "width",
  "layers",
  "heads",
  "k",
  "pooling",
  "steps",
  "batch",
  "lr",
].map((name) => DISTREG_FLAGS.find((spec) => spec.name === name) as FlagSpec);

const BAGS_FLAG: FlagSpec = {
  name: "bags",
  kind: "string",
  value: "FILE.csv",
  help: "the samples: bag id, then the feature columns (one row per sample)",
};
const TARGETS_FLAG: FlagSpec = {
  name: "targets",
  kind: "string",
  value: "FILE.csv",
  help: "the targets: bag id, then the target column(s) (one row per bag)",
};
const FIT_FLAGS: FlagSpec[] = [
  {
    name: "validation",
    kind: "number",
    constraint: between(0, 0.5),
    default: 0.2,
    help: "fraction of bags held out for early stopping and the report",
  },
  {
    name: "head",
    kind: "string",
    value: "KIND",
    choices: KME_HEADS,
    default: "gp",
    help: "kme: ridge alone, or with Gaussian-process standard deviations",
  },
];

/** The specification of `model` from the flags. */
function specOf(flags: FlagValues, model: ModelName): RegressorSpec {
  return {
    model,
    width: flags.width as number,
    layers: flags.layers as number,
    heads: flags.heads as number,
    k: flags.k as number,
    pooling: flags.pooling as SetPooling,
    steps: flags.steps as number,
    batch: flags.batch as number,
    learningRate: flags.lr as number,
    validation: flags.validation as number,
    seed: flags.seed as number,
    head: flags.head as KmeHead,
  };
}

/** The report of a fit, one fact per line. */
export function formatReport(model: string, report: FitReport, steps: number): string {
  const lines = [
    `fitted ${model} on ${report.trainingBags} bags in ${report.seconds.toFixed(1)} s (${report.validationBags} held out for validation)`,
  ];
  if (report.validationBags > 0)
    lines.push(`validation NMSE ${report.validationNmse.toPrecision(3)}`);
  if (report.coverage90 !== undefined)
    lines.push(
      `90% intervals cover ${(100 * report.coverage90).toFixed(1)}% of the validation targets`,
    );
  if (report.keptStep !== undefined)
    lines.push(
      `kept the parameters of step ${report.keptStep} of ${steps} (lowest validation error)`,
    );
  if (report.chosen !== undefined)
    lines.push(`chosen by 5-fold cross-validation: ${report.chosen}`);
  return lines.join("\n");
}

/** A number as the CSV writes it: its shortest exact decimal form. */
const cell = (value: number) => String(value);

/** A CSV cell, quoted when it holds a comma, a quote or a line break. */
function text(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** `localist distreg fit`: one model on all the bags, saved into --out. */
export const DISTREG_FIT: Command = {
  summary: "fit a distribution-regression model on your bags and save it",
  usage:
    "localist distreg fit --bags FILE.csv --targets FILE.csv --model NAME --out DIR [--validation F] [--seed S] [architecture and training flags]",
  description:
    "Fits one model on all your bags (less a validation fraction, held out for early stopping and the\n" +
    "report) and saves it into the folder DIR (config.json, weights.safetensors), written whole or not at\n" +
    "all. Features and targets are standardized by the training bags. Bags may have any number of samples.\n" +
    "Models: transformer (set transformer), local-transformer (k-NN-local attention), kme (kernel mean\n" +
    "embeddings + ridge; with --head gp, predictive standard deviations), deepsets.",
  flags: [
    BAGS_FLAG,
    TARGETS_FLAG,
    {
      name: "model",
      kind: "string",
      value: "NAME",
      choices: MODEL_NAMES,
      help: "the model to fit",
    },
    {
      name: "out",
      kind: "string",
      value: "DIR",
      help: "the folder to save the model into (new or empty)",
    },
    ...MODEL_FLAGS,
    ...FIT_FLAGS,
    seedFlag(1, "seeds the validation split, the initialization and the batches"),
    { name: "json", kind: "boolean", help: "print the fit's report as JSON" },
    THREADS_FLAG,
  ],
  run: ({ flags }) =>
    withFlagNames(async () => {
      const command = "localist distreg fit";
      const bagsPath = requireFlag(flags, "bags", command);
      const targetsPath = requireFlag(flags, "targets", command);
      const model = requireFlag(flags, "model", command) as ModelName;
      const out = requireFlag(flags, "out", command);
      const set = readBagFiles(bagsPath, targetsPath);
      const spec = specOf(flags, model);
      // Steps of a neural model; the cross-validated candidates of KME ridge.
      const progress = createProgress({
        total: model === "kme" ? 1 : (flags.steps as number),
        label: model === "kme" ? "distreg fit kme (cross-validation)" : `distreg fit ${model}`,
        quietMs: 3000,
      });
      const regressor = await DistributionRegressor.fit(set.bags, set.targets, spec, {
        targetNames: set.targetNames,
        featureNames: set.featureNames,
        onStep: (step, loss) => progress.update(step, { loss }),
        onCandidate: (done, total) =>
          progress.update(done / total, { candidate: `${done}/${total}` }),
      });
      progress.finish();
      try {
        regressor.save(out);
      } finally {
        regressor.dispose();
      }
      const { report } = regressor.info;
      if (flags.json) return JSON.stringify({ model: out, ...report }, null, 2);
      return `${formatReport(model, report, flags.steps as number)}\nsaved to ${out}`;
    }),
};

/** `localist distreg predict`: CSV predictions of a saved model for new bags. */
export const DISTREG_PREDICT: Command = {
  summary: "predict the targets of bags with a saved distribution-regression model",
  usage: "localist distreg predict --model DIR --bags FILE.csv",
  description:
    "Predicts the target of every bag of FILE.csv with the model `localist distreg fit` saved in DIR.\n" +
    "Prints CSV on stdout: bag,prediction (one column per target when there are several), and sd, the\n" +
    "predictive standard deviation, for a kme model with the Gaussian-process head.",
  flags: [
    { name: "model", kind: "string", value: "DIR", help: "the folder of a fitted model" },
    { ...BAGS_FLAG, help: "the samples of the bags to predict: bag id, then the same features" },
    THREADS_FLAG,
  ],
  run: ({ flags }) =>
    withFlagNames(() => {
      const command = "localist distreg predict";
      const dir = requireFlag(flags, "model", command);
      const bagsPath = requireFlag(flags, "bags", command);
      const regressor = DistributionRegressor.open(dir);
      try {
        const { info } = regressor;
        const file = readBagsFile(bagsPath);
        if (file.featureNames.length !== info.dim)
          throw new LocalistError(
            `${bagsPath} has ${file.featureNames.length} feature column${file.featureNames.length === 1 ? "" : "s"} (${file.featureNames.join(", ")}) but the model in ${dir} was fitted on ${info.dim} (${info.featureNames.join(", ")}); give the same features in the same order`,
          );
        const { mean, std } = regressor.predict(file.bags);
        const t = info.targetNames.length;
        const names =
          t === 1 ? ["prediction"] : info.targetNames.map((name) => `prediction_${name}`);
        const sds = t === 1 ? ["sd"] : info.targetNames.map((name) => `sd_${name}`);
        const header = ["bag", ...names, ...(std ? sds : [])].map(text).join(",");
        const rows = file.ids.map((id, b) => {
          const values = Array.from(mean.subarray(b * t, (b + 1) * t), cell);
          if (std) values.push(...Array.from(std.subarray(b * t, (b + 1) * t), cell));
          return [text(id), ...values].join(",");
        });
        return [header, ...rows].join("\n");
      } finally {
        regressor.dispose();
      }
    }),
};

/** `localist distreg cv`: NMSE ± sd per model over K folds. */
export const DISTREG_CV: Command = {
  summary: "compare distribution-regression models by K-fold cross-validation",
  usage:
    "localist distreg cv --bags FILE.csv --targets FILE.csv [--models NAME,…] [--folds K] [--seed S] [architecture and training flags]",
  description:
    "K-fold cross-validation on your bags: each fold is held out in turn, every model is fitted on the\n" +
    "other bags exactly as `localist distreg fit` would (with its own validation split) and scored by its\n" +
    "NMSE on the fold. Prints NMSE mean ± sd over the folds per model. The folds depend only on the bags,\n" +
    "K and --seed, and each fit on --model-seed, so a fold's fit and predict reproduce its error.",
  flags: [
    BAGS_FLAG,
    TARGETS_FLAG,
    {
      name: "models",
      kind: "string",
      value: "NAME,…",
      default: MODEL_NAMES.join(","),
      help: `models: ${MODEL_NAMES.join(", ")}`,
    },
    {
      name: "folds",
      kind: "integer",
      constraint: between(2, 100),
      default: 5,
      help: "K, the number of folds (at most the number of bags)",
    },
    seedFlag(1, "seeds the assignment of bags to folds"),
    {
      name: "model-seed",
      kind: "integer",
      constraint: between(0, 2 ** 32 - 1),
      default: 1,
      help: "seeds each fit (as fit's --seed)",
    },
    ...MODEL_FLAGS,
    ...FIT_FLAGS,
    { name: "json", kind: "boolean", help: "print every fold's NMSE as JSON" },
    { name: "markdown", kind: "boolean", help: "print the table as Markdown" },
    THREADS_FLAG,
  ],
  run: ({ flags }) =>
    withFlagNames(async () => {
      const command = "localist distreg cv";
      if (flags.json && flags.markdown) throw new UsageError("choose one of --json and --markdown");
      const bagsPath = requireFlag(flags, "bags", command);
      const targetsPath = requireFlag(flags, "targets", command);
      const models = nameList(flags, "models", MODEL_NAMES);
      const set = readBagFiles(bagsPath, targetsPath);
      const folds = flags.folds as number;
      if (folds > set.bags.count)
        throw new LocalistError(
          `${bagsPath} has ${set.bags.count} bags, fewer than the ${folds} folds asked for; lower --folds`,
        );
      const specs = models.map((model) => specOf({ ...flags, seed: flags["model-seed"] }, model));
      const progress = createProgress({
        total: models.length * folds,
        label: "distreg cv",
        quietMs: 3000,
      });
      let done = 0;
      const rows = await crossValidate(set.bags, set.targets, specs, {
        folds,
        seed: flags.seed as number,
        targetNames: set.targetNames,
        featureNames: set.featureNames,
        onFold: (model, fold, nmse) =>
          progress.update(++done, { model: models[model], fold: fold + 1, nmse }),
      });
      progress.finish();
      if (flags.json)
        return JSON.stringify(
          {
            bags: set.bags.count,
            folds,
            seed: flags.seed,
            models: rows.map((row, i) => ({
              model: models[i],
              mean: row.mean,
              std: row.std,
              folds: row.folds,
            })),
          },
          null,
          2,
        );
      const table = [
        ["model", "NMSE (mean ± sd)"],
        ...rows.map((row, i) => [
          models[i],
          formatSpread({ mean: row.mean, std: row.std, count: row.folds.length }),
        ]),
      ];
      const title = `${folds}-fold cross-validation on ${bagsPath} (${set.bags.count} bags): NMSE over the folds`;
      return flags.markdown
        ? `${title}\n\n${markdownTable(table)}`
        : `${title}\n${plainTable(table)}`;
    }),
};
