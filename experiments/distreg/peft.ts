/**
 * Prompt tuning and parameter-efficient fine-tuning (docs/math.md#prompt-tuning-and-lora): pretrain
 * the set transformer on one family of targets of the 1-D mixtures (by default mean, variance and
 * entropy, as one multi-output regression on many bags), then learn a new functional (by default
 * the 0.9 quantile) from few bags, by
 *
 * - `prompt`: P learned prompt tokens prepended to every set, the rest frozen;
 * - `lora`: rank-r adapters W + AB on every attention projection (blocks and pooling), W frozen;
 * - `full`: every parameter, from the pretrained ones;
 * - `scratch`: a new model, every parameter, from a random initialization;
 * - `head`: the new output layer only (a linear probe of the pretrained representation).
 *
 * Every method but `scratch` gets a new output layer for the new target (the pretrained one has
 * the old targets' width) and trains it too. Error: test NMSE on held-out distributions against
 * the number of adaptation bags; every method sees the same bags per seed.
 */
import { check } from "../../src/engine/errors.js";
import { hash32 } from "../../src/engine/random.js";
import { tree } from "../../src/engine/engine.js";
import { featureStatistics, firstBags, selectTargets } from "../../src/data/distributions/bags.js";
import { scoreRegression } from "../../src/data/distributions/scoring.js";
import {
  mixtureFunctionalsTask,
  sampleBagSet,
  splitSeeds,
} from "../../src/data/distributions/tasks.js";
import type { ParamMap } from "../../src/model/params.js";
import { initSetParams, OUTPUT_LAYER, setParameterShapes } from "../../src/model/setParams.js";
import { trainSetModel } from "../../src/train/setModel.js";
import { checkAttentionSize, checkPoolSize } from "../../src/distreg/limits.js";
import { checkSizes } from "./curves.js";
import { modelSeed, runProgress, type ExperimentSettings } from "./experiment.js";
import {
  fittedNeural,
  neuralConfig,
  prepareBags,
  targetStatistics,
  type TaskShape,
} from "../../src/distreg/models.js";
import { meanAndSpread, type Spread } from "./summary.js";

export const PEFT_METHODS = ["prompt", "lora", "full", "scratch", "head"] as const;
export type PeftMethod = (typeof PEFT_METHODS)[number];

export const MIXTURE_FUNCTIONALS = ["mean", "variance", "entropy", "quantile", "modes"] as const;

export interface PeftOptions extends Omit<ExperimentSettings, "models"> {
  methods: readonly PeftMethod[];
  /** Bags of the pretraining family. */
  pretrainBags: number;
  /** The adaptation bags of each curve point. */
  adaptBags: readonly number[];
  m: number;
  pretrainTargets: readonly string[];
  target: string;
  /** P prompt tokens. */
  prompts: number;
  /** r of LoRA. */
  rank: number;
}

export interface PeftResult {
  experiment: "peft";
  pretrainTargets: readonly string[];
  target: string;
  pretrainBags: number;
  m: number;
  seeds: number;
  testBags: number;
  methods: readonly PeftMethod[];
  /** Trainable parameters of each method. */
  trainable: Record<string, number>;
  pretrainLoss: number[];
  points: { method: PeftMethod; bags: number; error: Spread }[];
  runs: { method: PeftMethod; bags: number; seed: number; error: number; seconds: number }[];
  seconds: number;
}

const isOutputLayer = (name: string) => (OUTPUT_LAYER as readonly string[]).includes(name);
const isLora = (name: string) => /Lora[AB]$/.test(name);

/** Which parameters a method trains. */
export function trainableOf(method: PeftMethod): (name: string) => boolean {
  switch (method) {
    case "prompt":
      return (name) => name === "prompts" || isOutputLayer(name);
    case "lora":
      return (name) => isLora(name) || isOutputLayer(name);
    case "head":
      return isOutputLayer;
    default:
      return () => true;
  }
}

function checkTargets(names: readonly string[], what: string): void {
  check(names.length > 0, `give at least one ${what}`);
  for (const name of names)
    check(
      (MIXTURE_FUNCTIONALS as readonly string[]).includes(name),
      `unknown ${what} '${name}'; expected one of ${MIXTURE_FUNCTIONALS.join(", ")}`,
    );
}

export async function runPeft(options: PeftOptions): Promise<PeftResult> {
  checkTargets(options.pretrainTargets, "pretraining target");
  checkTargets([options.target], "adaptation target");
  check(
    !options.pretrainTargets.includes(options.target),
    `the adaptation target '${options.target}' is among the pretraining targets; choose a new functional`,
  );
  check(options.methods.length > 0, "give at least one method");
  const adaptBags = checkSizes("the adaptation bags", options.adaptBags);
  check(
    options.pretrainBags >= 2,
    `pretraining needs at least 2 bags, got ${options.pretrainBags}`,
  );
  const neural = options.neural;
  const task = mixtureFunctionalsTask();
  const preShape: TaskShape = {
    kind: "regression",
    dim: 1,
    targets: options.pretrainTargets.length,
  };
  const newShape: TaskShape = { kind: "regression", dim: 1, targets: 1 };
  const configOf = (method: PeftMethod) =>
    neuralConfig("transformer", newShape, neural, {
      prompts: method === "prompt" ? options.prompts : 0,
      loraRank: method === "lora" ? options.rank : 0,
    });
  const trainable = Object.fromEntries(
    options.methods.map((method) => {
      const shapes = setParameterShapes(configOf(method));
      const keep = trainableOf(method);
      const count = Object.entries(shapes)
        .filter(([name]) => keep(name))
        .reduce((sum, [, shape]) => sum + shape.reduce((a, b) => a * b, 1), 0);
      return [method, count];
    }),
  );
  const largest = adaptBags[adaptBags.length - 1];
  checkPoolSize({ bags: Math.max(options.pretrainBags, largest), samples: options.m, dim: 1 }, [
    "pretrainBags",
    "adaptBags",
    "m",
  ]);
  checkAttentionSize(
    { batch: neural.training.batch, heads: neural.heads, tokens: options.m + options.prompts },
    ["batch", "m", "prompts", "heads"],
  );
  const total = options.seeds * (1 + adaptBags.length * options.methods.length);
  const progress = runProgress(options, total, "distreg prompt tuning");
  const began = performance.now();
  const runs: PeftResult["runs"] = [];
  const pretrainLoss: number[] = [];
  let done = 0;
  for (let seed = 1; seed <= options.seeds; seed++) {
    const seeds = splitSeeds(seed);
    const all = (bags: number, from: number) =>
      sampleBagSet(task, { bags, samples: options.m, seed: from });
    const pretrain = selectTargets(all(options.pretrainBags, seeds.train), options.pretrainTargets);
    const adaptPool = selectTargets(all(largest, hash32(seed, 2, 0xada)), [options.target]);
    const test = selectTargets(all(options.testBags, seeds.test), [options.target]);
    // Pretraining: a multi-output regression on the pretraining targets.
    const preScaling = {
      features: featureStatistics(pretrain.bags),
      targets: targetStatistics(pretrain),
    };
    const pretrained = await trainSetModel(
      prepareBags(pretrain, preScaling, { withTargets: true }),
      {
        config: neuralConfig("transformer", preShape, neural),
        settings: neural.training,
        loss: { kind: "regression" },
        seed: modelSeed(seed, "pretrain"),
      },
    );
    pretrainLoss.push(pretrained.finalLoss);
    progress?.update(++done, { pretrained: pretrained.finalLoss });
    try {
      for (const bags of adaptBags) {
        const adapt = firstBags(adaptPool, bags);
        const scaling = { features: preScaling.features, targets: targetStatistics(adapt) };
        for (const method of options.methods) {
          const config = configOf(method);
          const init = initialParams(method, config, pretrained.model.params, seed);
          const result = await trainSetModel(prepareBags(adapt, scaling, { withTargets: true }), {
            config,
            settings: neural.training,
            loss: { kind: "regression" },
            seed: modelSeed(seed, method),
            init,
            trainable: trainableOf(method),
          });
          const fitted = fittedNeural(result.model, newShape, scaling, neural, {
            seconds: result.seconds,
            finalLoss: result.finalLoss,
          });
          const error = scoreRegression(test, fitted.predict(test)).nmse;
          fitted.dispose();
          runs.push({ method, bags, seed, error, seconds: result.seconds });
          progress?.update(++done, { method, bags, error });
        }
      }
    } finally {
      tree.dispose(pretrained.model.params);
    }
  }
  progress?.finish();
  const points = options.methods.flatMap((method) =>
    adaptBags.map((bags) => ({
      method,
      bags,
      error: meanAndSpread(
        runs.filter((r) => r.method === method && r.bags === bags).map((r) => r.error),
      ),
    })),
  );
  return {
    experiment: "peft",
    pretrainTargets: options.pretrainTargets,
    target: options.target,
    pretrainBags: options.pretrainBags,
    m: options.m,
    seeds: options.seeds,
    testBags: options.testBags,
    methods: options.methods,
    trainable,
    pretrainLoss,
    points,
    runs,
    seconds: (performance.now() - began) / 1000,
  };
}

/**
 * A method's starting parameters: fresh for `scratch`; otherwise the pretrained ones (borrowed)
 * except the output layer, plus fresh prompts, adapters and output layer.
 */
function initialParams(
  method: PeftMethod,
  config: ReturnType<typeof neuralConfig>,
  pretrained: ParamMap,
  seed: number,
): ParamMap | undefined {
  if (method === "scratch") return undefined;
  const kept = Object.fromEntries(
    Object.entries(pretrained).filter(([name]) => !isOutputLayer(name)),
  );
  const fresh = initSetParams(config, modelSeed(seed, `${method}-new`), (name) => !(name in kept));
  return { ...(tree.ref(kept) as ParamMap), ...fresh };
}
