/**
 * The language-model training loop: seeded batches, AdamW with warm-up and cosine decay, global
 * gradient clipping, a JSON-lines metrics log, progress on the terminal, atomic checkpoints, exact
 * resumption, and a stop with the last good checkpoint kept when the loss becomes NaN.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { LocalistError } from "../engine/errors.js";
import { fromHost, jit, np, valueAndGrad, type JaxArray } from "../engine/engine.js";
import type { CharTokenizer, WordTokenizer } from "../data/tokenizer.js";
import type { ModelConfig } from "../model/config.js";
import {
  crossEntropy,
  embedTokens,
  flattenParams,
  forwardFromEmbeddings,
  initParams,
  parameterShapes,
  unflattenParams,
  type ModelParams,
} from "../model/transformer.js";
import { hash32, sampleBatch } from "./batches.js";
import { blockArray, dialArray, localistForward } from "../localist/forward.js";
import { dialMatrix } from "../localist/dial.js";
import { evaluateStream, makeEvaluator, refParams, type Evaluation } from "./evaluate.js";
import { MetricsLog } from "../io/metricsLog.js";
import {
  initAdamW,
  learningRateAt,
  makeAdamWUpdate,
  type AdamWState,
  type ParamMap,
} from "./optimizer.js";
import { createProgress, type ProgressStream } from "../io/progress.js";
import { saveModel, type TrainSettings } from "../io/savedModel.js";

export interface TrainingData {
  tokenizer: WordTokenizer | CharTokenizer;
  train: Int32Array;
  valid: Int32Array;
}

export interface TrainStart {
  config: Readonly<ModelConfig>;
  settings: TrainSettings;
  /** Resume from these (loaded from the output folder); otherwise start from seeded init. */
  resume?: { params: ParamMap; optimizer: AdamWState; step: number };
}

export interface TrainOptions {
  out: string;
  /** Where progress goes (default stderr); null for none. */
  progress?: ProgressStream | null;
  /** Windows of the validation split for the final evaluation (default: all; 0 skips it). */
  validWindows?: number;
  /** Called after every step (for monitors and tests). */
  onStep?: (step: number, loss: number) => void;
}

export interface TrainSummary {
  steps: number;
  finalLoss: number;
  seconds: number;
  tokensPerSecond: number;
  valid?: Evaluation;
}

/**
 * Adds the gradient of the embedding lookup, ∂L/∂E[v] = Σ_{p: token_p = v} ∂L/∂x₀[p], computed on
 * the host from ∂L/∂x₀ (B·T, D). Returns a dense (V, D) array.
 */
function embeddingGradient(
  gradX0: JaxArray,
  tokens: Int32Array,
  vocab: number,
  width: number,
): JaxArray {
  const g: ArrayLike<number> = gradX0.dataSync();
  const dense = new Float32Array(vocab * width);
  for (let p = 0; p < tokens.length; p++) {
    const row = tokens[p] * width;
    const from = p * width;
    for (let d = 0; d < width; d++) dense[row + d] += g[from + d];
  }
  return fromHost(dense, [vocab, width], np.float32);
}

export function trainLanguageModel(
  start: TrainStart,
  data: TrainingData,
  options: TrainOptions,
): TrainSummary {
  const { config, settings } = start;
  const shapes = parameterShapes(config);
  let params: ParamMap = start.resume?.params ?? flattenParams(initParams(config, settings.seed));
  let optimizer: AdamWState = start.resume?.optimizer ?? initAdamW(params);
  let step = start.resume?.step ?? 0;
  const update = makeAdamWUpdate(shapes, {
    beta1: 0.9,
    beta2: 0.95,
    epsilon: 1e-8,
    weightDecay: settings.weightDecay,
    clipNorm: settings.clipNorm,
  });
  const structure = config.localist;
  const localist = settings.localist;
  const gamma = localist?.penalty ?? 0;
  // One signature for both kinds of model: a plain model gets (and ignores) dummy block ids and
  // dial. The auxiliary outputs are the cross-entropy and the penalty, logged separately.
  const lossAndGrad = jit(
    valueAndGrad(
      (p: ModelParams, x0: JaxArray, targets: JaxArray, blocks: JaxArray, dial: JaxArray) => {
        let logits: JaxArray;
        let penalty: JaxArray;
        if (structure) {
          const out = localistForward(p, x0, config, blocks, dial, { penalty: gamma > 0 });
          logits = out.logits;
          penalty = out.penalty ?? np.zeros([]);
        } else {
          blocks.dispose();
          dial.dispose();
          logits = forwardFromEmbeddings(p, x0, config).logits;
          penalty = np.zeros([]);
        }
        const ce = crossEntropy(logits, targets);
        const total = gamma > 0 ? ce.ref.add(penalty.ref.mul(gamma)) : ce.ref;
        return [total, [ce, penalty]] as [JaxArray, [JaxArray, JaxArray]];
      },
      { argnums: [0, 1], hasAux: true },
    ),
  );
  /** The dial of a step: fixed, or uniform in the training range (keyed by seed and step). */
  const dialForStep = (s: number): JaxArray => {
    if (!structure) return np.zeros([1, 1]);
    if (!localist) return dialArray(dialMatrix(0, "uniform", config.layers, config.heads));
    const value =
      typeof localist.dial === "object" && !Array.isArray(localist.dial)
        ? localist.dial.range[0] +
          (localist.dial.range[1] - localist.dial.range[0]) *
            (hash32(settings.seed ^ 0x5bd1e995, s, 0) / 2 ** 32)
        : localist.dial;
    return dialArray(dialMatrix(value, localist.schedule, config.layers, config.heads));
  };
  mkdirSync(options.out, { recursive: true });
  const log = MetricsLog.open(join(options.out, "metrics.jsonl"), {
    append: start.resume !== undefined,
  });
  const progress =
    options.progress === null
      ? undefined
      : createProgress({
          total: settings.steps,
          label: "train",
          stream: options.progress ?? process.stderr,
        });
  const save = () =>
    saveModel(options.out, {
      config,
      settings,
      tokenizer: data.tokenizer,
      params,
      optimizer,
      step,
    });

  const { batch } = settings;
  const t = config.context;
  const began = performance.now();
  const firstStep = step;
  let lastLoss = NaN;
  let lastSaved = step;
  try {
    while (step < settings.steps) {
      const { inputs, targets } = sampleBatch(data.train, batch, t, settings.seed, step);
      const embedded = embedTokens(
        params.tokenEmbedding.ref,
        fromHost(inputs, [batch, t], np.int32),
      );
      const blocks = structure
        ? blockArray(config, inputs, batch)
        : np.zeros([batch, t], { dtype: np.int32 });
      const [[loss, [crossEntropyLoss, penaltyValue]], [gradTree, gradX0]] = lossAndGrad(
        unflattenParams(refParams(params), config),
        embedded,
        fromHost(targets, [batch, t], np.int32),
        blocks,
        dialForStep(step),
      ) as unknown as [[JaxArray, [JaxArray, JaxArray]], [ModelParams, JaxArray]];
      const lossValue = loss.dataSync()[0];
      const crossEntropyValue = crossEntropyLoss.dataSync()[0];
      const penaltyNumber = penaltyValue.dataSync()[0];
      const grads = flattenParams(gradTree);
      if (!Number.isFinite(lossValue)) {
        gradX0.dispose();
        for (const g of Object.values(grads)) g.dispose();
        throw new LocalistError(
          `the training loss became ${lossValue} at step ${step + 1}; stopped, and the last good checkpoint (step ${lastSaved}) is kept in ${options.out}; lower --lr`,
        );
      }
      grads.tokenEmbedding = grads.tokenEmbedding.add(
        embeddingGradient(gradX0, inputs, config.vocabSize, config.dModel),
      );
      const learningRate = learningRateAt(step, {
        peak: settings.learningRate,
        warmup: settings.warmup,
        total: settings.steps,
      });
      const result = update(params, grads, optimizer, learningRate);
      params = result.params;
      optimizer = result.state;
      const gradNorm = result.gradNorm.dataSync()[0];
      step++;
      lastLoss = lossValue;
      const seconds = (performance.now() - began) / 1000;
      const tokensPerSecond = ((step - firstStep) * batch * t) / seconds;
      const record: Record<string, number> = {
        step,
        loss: lossValue,
        lr: learningRate,
        gradNorm,
        tokensPerSecond,
        seconds,
      };
      if (structure)
        Object.assign(record, { crossEntropy: crossEntropyValue, penalty: penaltyNumber });
      log.write(record);
      progress?.update(step, {
        loss: lossValue,
        ...(structure && gamma > 0 ? { penalty: penaltyNumber } : {}),
        "tok/s": Math.round(tokensPerSecond),
      });
      options.onStep?.(step, lossValue);
      if (step % settings.checkpointEvery === 0 || step === settings.steps) {
        save();
        lastSaved = step;
      }
    }
    const seconds = (performance.now() - began) / 1000;
    progress?.finish(`loss ${lastLoss.toFixed(4)}`);
    let valid: Evaluation | undefined;
    if (data.valid.length > t && options.validWindows !== 0) {
      valid = evaluateStream(
        params,
        config,
        data.valid,
        { maxWindows: options.validWindows },
        makeEvaluator(config),
      );
      log.write({ step, split: "valid", ...valid });
    }
    return {
      steps: step,
      finalLoss: lastLoss,
      seconds,
      tokensPerSecond: ((step - firstStep) * batch * t) / Math.max(seconds, 1e-9),
      valid,
    };
  } finally {
    log.close();
    for (const p of Object.values(params)) p.dispose();
    for (const m of Object.values(optimizer.m)) m.dispose();
    for (const v of Object.values(optimizer.v)) v.dispose();
    lossAndGrad.dispose();
  }
}
