/**
 * A DistributionRegressor's folder: `config.json` (the format, the specification, the feature and
 * target names, the standardization, the network's configuration or KME's chosen hyperparameters,
 * and the fit's report) and `weights.safetensors` (a set model's float32 parameters, or KME's
 * standardized training bags, dual coefficients, norms and GP factor in float64). The folder is
 * written whole into a temporary sibling and renamed into place, so it is either all there or
 * absent. Numbers in the JSON are doubles written in their shortest exact form, so a reopened
 * model predicts the same numbers, bit for bit.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { basename, dirname, join, resolve } from "node:path";
import {
  kmeRidgeFromState,
  type KmeChoice,
  type KmeRidgeState,
} from "../classical/distributionRidge.js";
import type { Bags } from "../data/distributions/bags.js";
import { fromHost, np } from "../engine/engine.js";
import { LocalistError, oneLine } from "../engine/errors.js";
import { FILE_LIMITS, readLimitedFile } from "../engine/files.js";
import { createFolder, syncFolder, writeFileDurable } from "../io/atomicWrite.js";
import { readJsonFile } from "../io/json.js";
import { decodeSafetensors, encodeSafetensors, type HostTensor } from "../io/safetensors.js";
import { validateSetModelConfig, type SetModelConfig } from "../model/setConfig.js";
import { setParameterShapes } from "../model/setParams.js";
import type { ParamMap } from "../model/params.js";
import { FieldError } from "./fieldError.js";
import type { Fitted, RegressorInfo } from "./regressorParts.js";
import { resolveSpec, type RegressorSpec } from "./spec.js";

/** The `format` of config.json; `version` changes when the layout does. */
export const REGRESSOR_FORMAT = { format: "localist-distreg", version: 1 } as const;
/** The two files of a model folder. */
export const REGRESSOR_FILES = { config: "config.json", weights: "weights.safetensors" } as const;

/** config.json as written (typed arrays as number lists, NaN as null). */
interface ConfigFile {
  format: string;
  version: number;
  spec: RegressorSpec;
  dim: number;
  featureNames: string[];
  targetNames: string[];
  scaling: Record<"featureMean" | "featureStd" | "targetMean" | "targetStd", number[]>;
  network?: SetModelConfig;
  kme?: { chosen: KmeChoice; shift?: number };
  report: Record<string, unknown>;
}

/** Writes a regressor's info and fitted part into the folder `dir` (new, or empty), all or nothing. */
export function writeRegressorFolder(info: RegressorInfo, parts: Fitted, dir: string): void {
  const config: ConfigFile = {
    ...REGRESSOR_FORMAT,
    spec: { ...info.spec },
    dim: info.dim,
    featureNames: [...info.featureNames],
    targetNames: [...info.targetNames],
    scaling: {
      featureMean: Array.from(info.scaling.featureMean),
      featureStd: Array.from(info.scaling.featureStd),
      targetMean: Array.from(info.scaling.targetMean),
      targetStd: Array.from(info.scaling.targetStd),
    },
    ...(info.network ? { network: info.network } : {}),
    report: { ...info.report },
  };
  const tensors: Record<string, HostTensor> = {};
  if (parts.kind === "neural")
    for (const [name, array] of Object.entries(parts.model.params))
      tensors[name] = {
        dtype: "F32",
        shape: array.shape,
        data: Float32Array.from(array.ref.dataSync() as Float32Array),
      };
  else {
    const { train } = parts;
    const state = parts.model.state;
    const n = train.count;
    const t = state.mean.length;
    config.kme = { chosen: state.chosen, ...(state.gp ? { shift: state.gp.shift } : {}) };
    tensors["train.samples"] = {
      dtype: "F64",
      shape: [n, train.capacity, train.dim],
      data: train.samples,
    };
    tensors["train.sizes"] = { dtype: "I32", shape: [n], data: train.sizes };
    tensors.alpha = { dtype: "F64", shape: [n, t], data: state.alpha };
    tensors.mean = { dtype: "F64", shape: [t], data: state.mean };
    tensors.norms = { dtype: "F64", shape: [n], data: state.norms };
    if (state.gp) {
      tensors["gp.factor"] = { dtype: "F64", shape: [n, n], data: state.gp.factor };
      tensors["gp.amplitude"] = { dtype: "F64", shape: [t], data: state.gp.amplitude };
    }
  }
  writeFolder(dir, {
    [REGRESSOR_FILES.config]: `${JSON.stringify(config, (_, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? null : v), 2)}\n`,
    [REGRESSOR_FILES.weights]: encodeSafetensors(tensors, { format: REGRESSOR_FORMAT.format }),
  });
}

/** Files written into a temporary sibling folder, which is then renamed to `dir`. */
function writeFolder(dir: string, files: Record<string, string | Uint8Array>): void {
  const target = resolve(dir);
  if (existsSync(target)) {
    const empty = statSync(target).isDirectory() && readdirSync(target).length === 0;
    if (!empty)
      throw new LocalistError(
        `${dir} already exists and is not an empty folder; choose a new folder for the model`,
      );
  }
  const parent = dirname(target);
  createFolder(parent, "the model folder's parent");
  const temporary = join(
    parent,
    `.${basename(target)}.tmp-${process.pid}-${randomBytes(6).toString("hex")}`,
  );
  try {
    mkdirSync(temporary);
    for (const [name, data] of Object.entries(files)) writeFileDurable(join(temporary, name), data);
    syncFolder(temporary);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { recursive: true, force: true });
    throw new LocalistError(`cannot write the model folder ${dir}: ${oneLine(error)}`);
  }
  syncFolder(parent);
}

/** The info and fitted part of a folder `writeRegressorFolder` wrote; damage is one line. */
export function readRegressorFolder(dir: string): { info: RegressorInfo; fitted: Fitted } {
  const fail = (why: string): never => {
    throw new LocalistError(
      `${dir} is not a usable distribution-regression model: ${why}; fit it again`,
    );
  };
  if (!existsSync(dir)) throw new LocalistError(`the model folder ${dir} does not exist`);
  if (!statSync(dir).isDirectory())
    throw new LocalistError(`${dir} is a file; give the folder a fit wrote`);
  const configPath = join(dir, REGRESSOR_FILES.config);
  if (!existsSync(configPath)) fail(`it has no ${REGRESSOR_FILES.config}`);
  const raw = readJsonFile<Partial<ConfigFile>>(configPath, "model config");
  if (typeof raw !== "object" || raw === null || raw.format !== REGRESSOR_FORMAT.format)
    fail(
      `${REGRESSOR_FILES.config} is not a distribution-regression config (its format is not '${REGRESSOR_FORMAT.format}')`,
    );
  const config = raw as ConfigFile;
  if (config.version !== REGRESSOR_FORMAT.version)
    fail(
      `its format version is ${String(config.version)}; this localist reads version ${REGRESSOR_FORMAT.version}`,
    );
  const info = infoOf(config, fail);
  const weightsPath = join(dir, REGRESSOR_FILES.weights);
  if (!existsSync(weightsPath)) fail(`it has no ${REGRESSOR_FILES.weights}`);
  const { tensors } = decodeSafetensors(
    readLimitedFile(weightsPath, "model weights", FILE_LIMITS.tensors),
    `model weights ${weightsPath}`,
  );
  const tensor = (name: string, dtype: HostTensor["dtype"], shape: number[]) => {
    const found = tensors[name];
    if (!found) return fail(`${REGRESSOR_FILES.weights} lacks the tensor '${name}'`);
    if (found.dtype !== dtype || found.shape.join(",") !== shape.join(","))
      fail(
        `${REGRESSOR_FILES.weights} holds '${name}' as ${found.dtype} [${found.shape.join(", ")}], expected ${dtype} [${shape.join(", ")}]`,
      );
    return found.data;
  };
  const t = info.targetNames.length;
  let fitted: Fitted;
  if (info.network) {
    const params: ParamMap = {};
    for (const [name, shape] of Object.entries(setParameterShapes(info.network)))
      params[name] = fromHost(tensor(name, "F32", shape), shape, np.float32);
    fitted = { kind: "neural", model: { config: info.network, params } };
  } else {
    const kme = config.kme;
    if (!kme || typeof kme.chosen !== "object" || kme.chosen === null)
      return fail(`${REGRESSOR_FILES.config} lacks KME's chosen hyperparameters`);
    const sizesData = tensors["train.sizes"]?.data;
    if (!sizesData) return fail(`${REGRESSOR_FILES.weights} lacks the tensor 'train.sizes'`);
    const n = sizesData.length;
    const samplesShape = tensors["train.samples"]?.shape ?? [];
    const capacity = samplesShape[1] ?? 0;
    const sizes = Int32Array.from(tensor("train.sizes", "I32", [n]));
    const samples = Float64Array.from(tensor("train.samples", "F64", [n, capacity, info.dim]));
    if (n < 2 || !sizes.every((s) => s >= 1 && s <= capacity))
      fail(`its training bags have sizes outside [1, ${capacity}]`);
    const train: Bags = { count: n, capacity, dim: info.dim, samples, sizes };
    const gp =
      info.spec.head === "gp"
        ? {
            factor: Float64Array.from(tensor("gp.factor", "F64", [n, n])),
            shift: typeof kme.shift === "number" ? kme.shift : fail("its GP head has no shift"),
            amplitude: Float64Array.from(tensor("gp.amplitude", "F64", [t])),
          }
        : undefined;
    const state: KmeRidgeState = {
      chosen: kme.chosen,
      alpha: Float64Array.from(tensor("alpha", "F64", [n, t])),
      mean: Float64Array.from(tensor("mean", "F64", [t])),
      norms: Float64Array.from(tensor("norms", "F64", [n])),
      ...(gp ? { gp } : {}),
    };
    fitted = { kind: "kme", train, model: kmeRidgeFromState(train, state) };
  }
  return { info, fitted };
}

/** The regressor's info from config.json, every field checked. */
function infoOf(config: ConfigFile, fail: (why: string) => never): RegressorInfo {
  let spec;
  try {
    spec = resolveSpec(config.spec ?? ({} as RegressorSpec));
  } catch (error) {
    if (error instanceof FieldError) fail(`its spec is invalid (${error.message})`);
    throw error;
  }
  const { dim, featureNames, targetNames, scaling } = config;
  if (!Number.isInteger(dim) || dim < 1)
    fail(`its dim is ${JSON.stringify(dim)}, not a positive integer`);
  const names = (list: unknown, length: number, what: string) => {
    if (!Array.isArray(list) || list.length !== length || !list.every((x) => typeof x === "string"))
      fail(`its ${what} are not ${length} strings`);
    return list as string[];
  };
  names(featureNames, dim, "feature names");
  if (!Array.isArray(targetNames) || targetNames.length < 1) fail("it names no target");
  names(targetNames, targetNames.length, "target names");
  const t = targetNames.length;
  const vector = (key: keyof ConfigFile["scaling"], length: number, positive: boolean) => {
    const list = scaling?.[key];
    if (
      !Array.isArray(list) ||
      list.length !== length ||
      !list.every((x) => typeof x === "number" && Number.isFinite(x) && (!positive || x > 0))
    )
      fail(`its scaling ${key} is not ${length} finite${positive ? " positive" : ""} numbers`);
    return Float64Array.from(list);
  };
  let network: SetModelConfig | undefined;
  if (spec.model !== "kme") {
    if (typeof config.network !== "object" || config.network === null)
      fail("it has no network configuration");
    try {
      network = validateSetModelConfig(config.network);
    } catch (error) {
      fail(`its network configuration is invalid (${oneLine(error)})`);
    }
    if (network.inputDim !== dim || network.outputs !== t)
      fail(
        `its network reads ${network.inputDim} features into ${network.outputs} outputs, not ${dim} into ${t}`,
      );
  }
  const report = (config.report ?? {}) as Record<string, unknown>;
  return {
    spec,
    dim,
    featureNames,
    targetNames,
    scaling: {
      featureMean: vector("featureMean", dim, false),
      featureStd: vector("featureStd", dim, true),
      targetMean: vector("targetMean", t, false),
      targetStd: vector("targetStd", t, true),
    },
    ...(network ? { network } : {}),
    report: {
      trainingBags: Number(report.trainingBags),
      validationBags: Number(report.validationBags),
      validationNmse: typeof report.validationNmse === "number" ? report.validationNmse : NaN,
      ...(typeof report.coverage90 === "number" ? { coverage90: report.coverage90 } : {}),
      ...(typeof report.keptStep === "number" ? { keptStep: report.keptStep } : {}),
      ...(typeof report.chosen === "string" ? { chosen: report.chosen } : {}),
      seconds: Number(report.seconds),
    },
  };
}
