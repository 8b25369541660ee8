/**
 * TensorFlow.js peer for bench/train.bench.ts: the same transformer language model on
 * TensorFlow.js's Wasm backend (XNNPACK, SIMD), trained for the same steps on the same batches
 * with the same optimizer, in Node. It is the best engine of localist's own runtime: a second peer
 * beside PyTorch, which runs native code.
 *
 *   node dist/bench/train_tfjs.js BATCHES --steps S --batch B --context T --layers L --d-model D
 *     --heads H --d-mlp F --vocab V [--lr 3e-3] [--warmup 5] [--weight-decay 0.1] [--clip 1]
 *     [--seed 1] [--warm-up-steps 2] [--threads N]
 *
 * BATCHES is the little-endian int32 file train.bench.ts writes (per step: B·T inputs, then B·T
 * targets). The model is localist's (src/model/transformer.ts; python/localist_torch/model.py):
 * learned positions added to the token embedding, pre-LayerNorm blocks (ε 1e-5) of causal
 * softmax attention (a query sees itself and the keys before it) and a tanh-GELU MLP, a final
 * LayerNorm and the output head tied to the token embedding; mean next-token cross-entropy.
 * Weights start GPT-2 style (N(0, 0.02), the residual projections scaled by 1/√(2L)) from
 * TensorFlow.js's seeded generator, so the sides start from different weights of the same law.
 *
 * As in localist, x₀ = E[tokens] is looked up outside the differentiated function and its
 * gradient is scattered into E's (tf.scatterND sums repeated rows): the Wasm backend has no kernel
 * for the gradient of a gather. The update is AdamW written in TensorFlow.js ops, as
 * src/train/optimizer.ts defines it: global-norm clipping, β = (0.9, 0.95), ε 1e-8, decoupled
 * weight decay on the 2-D weights except the position table, and the warm-up/cosine rate. Each
 * step ends by reading the loss back, so it has finished; the rate leaves out the warm-up steps.
 * One JSON line goes to stdout, in the PyTorch peer's shape (bench/train_torch.py).
 */
// The umbrella package: its Node bundle registers every op's gradient, which tfjs-core's does not.
import * as tf from "@tensorflow/tfjs";
import { getThreadsCount, setThreadsCount } from "@tensorflow/tfjs-backend-wasm";
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const BETA1 = 0.9;
const BETA2 = 0.95;
const EPSILON = 1e-8;

type Params = Record<string, tf.Tensor>;

interface Shape {
  vocab: number;
  context: number;
  layers: number;
  heads: number;
  dModel: number;
  dMlp: number;
}

function readArguments() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: Object.fromEntries(
      [
        "steps",
        "batch",
        "context",
        "layers",
        "d-model",
        "heads",
        "d-mlp",
        "vocab",
        "lr",
        "warmup",
        "weight-decay",
        "clip",
        "seed",
        "warm-up-steps",
        "threads",
      ].map((name) => [name, { type: "string" as const }]),
    ),
  });
  const number = (name: string, fallback?: number): number => {
    const text = values[name];
    const value = text === undefined ? fallback : Number(text);
    if (value === undefined || !Number.isFinite(value)) {
      throw new Error(`--${name} must be a number, got ${String(text)}`);
    }
    return value;
  };
  if (positionals.length !== 1) throw new Error("usage: train_tfjs.js BATCHES --steps S …");
  return {
    batches: positionals[0],
    steps: number("steps"),
    batch: number("batch"),
    shape: {
      vocab: number("vocab"),
      context: number("context"),
      layers: number("layers"),
      heads: number("heads"),
      dModel: number("d-model"),
      dMlp: number("d-mlp"),
    },
    lr: number("lr", 3e-3),
    warmup: number("warmup", 5),
    weightDecay: number("weight-decay", 0.1),
    clip: number("clip", 1),
    seed: number("seed", 1),
    warmUpSteps: number("warm-up-steps", 2),
    threads: number("threads", 1),
  };
}

/** η_t: linear warm-up over `warmup` steps, then cosine to 10% of the peak (src/train/schedule.ts). */
function warmupCosine(peak: number, warmup: number, total: number): (t: number) => number {
  return (t) => {
    if (t < warmup) return (peak * (t + 1)) / warmup;
    const progress = Math.min(1, (t - warmup) / Math.max(1, total - warmup));
    return peak * (0.1 + 0.9 * 0.5 * (1 + Math.cos(Math.PI * progress)));
  };
}

/** Weight decay applies to the 2-D weights except the position table (src/model/params.ts). */
const decays = (name: string, shape: readonly number[]) =>
  shape.length === 2 && name !== "positionEmbedding";

function initialParams(shape: Shape, seed: number): Params {
  const { vocab, context, layers, dModel: d, dMlp: f } = shape;
  let draw = seed;
  const normal = (dims: number[], std: number) => tf.randomNormal(dims, 0, std, "float32", draw++);
  const residual = 0.02 / Math.sqrt(2 * layers);
  const params: Params = {
    tokenEmbedding: normal([vocab, d], 0.02),
    positionEmbedding: normal([context, d], 0.02),
    lnFScale: tf.ones([d]),
    lnFBias: tf.zeros([d]),
  };
  for (let l = 0; l < layers; l++) {
    Object.assign(params, {
      [`${l}.ln1Scale`]: tf.ones([d]),
      [`${l}.ln1Bias`]: tf.zeros([d]),
      [`${l}.wq`]: normal([d, d], 0.02),
      [`${l}.wk`]: normal([d, d], 0.02),
      [`${l}.wv`]: normal([d, d], 0.02),
      [`${l}.wo`]: normal([d, d], residual),
      [`${l}.ln2Scale`]: tf.ones([d]),
      [`${l}.ln2Bias`]: tf.zeros([d]),
      [`${l}.w1`]: normal([d, f], 0.02),
      [`${l}.b1`]: tf.zeros([f]),
      [`${l}.w2`]: normal([f, d], residual),
      [`${l}.b2`]: tf.zeros([d]),
    });
  }
  return params;
}

/** The last two axes swapped, as a copy. */
function swapLast(x: tf.Tensor): tf.Tensor {
  const axes = x.shape.map((_, i) => i);
  [axes[axes.length - 2], axes[axes.length - 1]] = [axes[axes.length - 1], axes[axes.length - 2]];
  return tf.transpose(x, axes);
}

/**
 * a · b (batched over leading axes) with a gradient that transposes explicitly: dA = dY · bᵀ,
 * dB = aᵀ · dY. TensorFlow.js's own gradient of matMul passes transpose flags, and its Wasm
 * backend multiplies a transposed operand 10–20 times slower than a plain one (1.2 against 29
 * GFLOP/s at 1024 × 10,000 × 128 on the bench machine), while the copy costs little: this keeps
 * the peer at its best.
 */
const product = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [a, b, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
  save([a, b]);
  return {
    value: tf.matMul(a, b),
    gradFunc: (dy: tf.Tensor, [savedA, savedB]: tf.Tensor[]) => [
      tf.matMul(dy, swapLast(savedB)),
      tf.matMul(swapLast(savedA), dy),
    ],
  };
}) as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor;

function layerNorm(x: tf.Tensor, scale: tf.Tensor, bias: tf.Tensor): tf.Tensor {
  const mean = tf.mean(x, -1, true);
  const centred = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centred), -1, true);
  return tf.add(tf.mul(tf.div(centred, tf.sqrt(tf.add(variance, 1e-5))), scale), bias);
}

/** GELU, tanh form: ½x(1 + tanh(√(2/π)(x + 0.044715x³))). */
function gelu(x: tf.Tensor): tf.Tensor {
  const inner = tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI));
  return tf.mul(tf.mul(x, 0.5), tf.add(tf.tanh(inner), 1));
}

/** Mean next-token cross-entropy of the model on x₀ = E[tokens] + positions. */
function loss(
  p: Params,
  x0: tf.Tensor,
  targets: tf.Tensor,
  causal: tf.Tensor,
  shape: Shape,
  batch: number,
): tf.Scalar {
  const { context: t, heads: h, dModel: d, vocab } = shape;
  const e = d / h;
  const rows = batch * t;
  let x = tf.add(x0, p.positionEmbedding) as tf.Tensor; // (B, T, D)
  const heads = (y: tf.Tensor) => tf.transpose(tf.reshape(y, [batch, t, h, e]), [0, 2, 1, 3]);
  for (let l = 0; l < shape.layers; l++) {
    const a = tf.reshape(layerNorm(x, p[`${l}.ln1Scale`], p[`${l}.ln1Bias`]), [rows, d]);
    const q = heads(product(a, p[`${l}.wq`]));
    const k = heads(product(a, p[`${l}.wk`]));
    const v = heads(product(a, p[`${l}.wv`]));
    const scores = tf.add(tf.mul(product(q, swapLast(k)), 1 / Math.sqrt(e)), causal);
    const merged = tf.reshape(tf.transpose(product(tf.softmax(scores), v), [0, 2, 1, 3]), [
      rows,
      d,
    ]);
    x = tf.add(x, tf.reshape(product(merged, p[`${l}.wo`]), [batch, t, d]));
    const b = tf.reshape(layerNorm(x, p[`${l}.ln2Scale`], p[`${l}.ln2Bias`]), [rows, d]);
    const hidden = gelu(tf.add(product(b, p[`${l}.w1`]), p[`${l}.b1`]));
    const out = tf.add(product(hidden, p[`${l}.w2`]), p[`${l}.b2`]);
    x = tf.add(x, tf.reshape(out, [batch, t, d]));
  }
  const final = tf.reshape(layerNorm(x, p.lnFScale, p.lnFBias), [rows, d]);
  const logits = product(final, swapLast(p.tokenEmbedding)); // tied head, (B·T, V)
  return tf.losses.softmaxCrossEntropy(tf.oneHot(targets, vocab), logits);
}

async function main(): Promise<void> {
  const args = readArguments();
  const { steps, batch, shape } = args;
  const { context: t, vocab, dModel: d } = shape;
  setThreadsCount(args.threads);
  if (!(await tf.setBackend("wasm"))) throw new Error("TensorFlow.js's Wasm backend did not start");
  await tf.ready();

  const raw = readFileSync(args.batches);
  const ids = new Int32Array(raw.buffer, raw.byteOffset, raw.byteLength / 4);
  if (ids.length !== steps * 2 * batch * t) {
    throw new Error(`${args.batches} holds ${ids.length} ids, expected ${steps * 2 * batch * t}`);
  }
  let params = initialParams(shape, args.seed);
  const names = Object.keys(params);
  let m: Params = Object.fromEntries(names.map((n) => [n, tf.zerosLike(params[n])]));
  let v: Params = Object.fromEntries(names.map((n) => [n, tf.zerosLike(params[n])]));
  // 0 where a query may attend (key ≤ query), −∞ in effect elsewhere; every row keeps itself.
  const causal = tf.tidy(() => tf.mul(tf.sub(1, tf.linalg.bandPart(tf.ones([t, t]), -1, 0)), -1e9));
  const rate = warmupCosine(args.lr, args.warmup, steps);
  /** The loss on `targets` and its gradients with respect to x₀ and every parameter. */
  const lossAndGradients = (targets: tf.Tensor) =>
    tf.valueAndGrads((...inputs: tf.Tensor[]) => {
      const [x0, ...values] = inputs;
      const p = Object.fromEntries(names.map((n, i) => [n, values[i]]));
      return loss(p, x0, targets, causal, shape, batch) as tf.Tensor;
    });

  const faults: number[] = [];
  const losses: number[] = [];
  const gradNorms: number[] = [];
  const elapsed: number[] = [];
  const began = performance.now();
  for (let step = 0; step < steps; step++) {
    const at = step * 2 * batch * t;
    const inputs = ids.subarray(at, at + batch * t);
    const targetIds = ids.subarray(at + batch * t, at + 2 * batch * t);
    const next = tf.tidy(() => {
      const tokens = tf.tensor1d(inputs, "int32");
      const x0 = tf.reshape(tf.gather(params.tokenEmbedding, tokens), [batch, t, d]);
      const targets = tf.tensor1d(targetIds, "int32");
      const { value, grads: all } = lossAndGradients(targets)([x0, ...names.map((n) => params[n])]);
      const [gradX0, ...gradValues] = all;
      const grads: Params = Object.fromEntries(names.map((n, i) => [n, gradValues[i]]));
      // ∂L/∂E += Σ_{p: token_p = v} ∂L/∂x₀[p]
      grads.tokenEmbedding = tf.add(
        grads.tokenEmbedding,
        tf.scatterND(tf.reshape(tokens, [batch * t, 1]), tf.reshape(gradX0, [batch * t, d]), [
          vocab,
          d,
        ]),
      );
      const norm = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
      const scale = tf.minimum(tf.div(args.clip, tf.maximum(norm, 1e-12)), 1);
      const lr = rate(step);
      const count = step + 1;
      const out = { params: {} as Params, m: {} as Params, v: {} as Params };
      for (const n of names) {
        const g = tf.mul(grads[n], scale);
        const m1 = tf.add(tf.mul(m[n], BETA1), tf.mul(g, 1 - BETA1));
        const v1 = tf.add(tf.mul(v[n], BETA2), tf.mul(tf.square(g), 1 - BETA2));
        let update = tf.div(
          tf.div(m1, 1 - BETA1 ** count),
          tf.add(tf.sqrt(tf.div(v1, 1 - BETA2 ** count)), EPSILON),
        );
        if (args.weightDecay > 0 && decays(n, params[n].shape)) {
          update = tf.add(update, tf.mul(params[n], args.weightDecay));
        }
        out.params[n] = tf.sub(params[n], tf.mul(update, lr));
        out.m[n] = m1;
        out.v[n] = v1;
      }
      return { ...out, value, norm };
    });
    tf.dispose([params, m, v]);
    ({ params, m, v } = next);
    losses.push((await next.value.data())[0]);
    gradNorms.push((await next.norm.data())[0]);
    tf.dispose([next.value, next.norm]);
    elapsed.push((performance.now() - began) / 1000); // cumulative, like metrics.jsonl
    faults.push(process.resourceUsage().minorPageFault);
  }
  const w = args.warmUpSteps;
  const timedSeconds = elapsed[steps - 1] - (w > 0 ? elapsed[w - 1] : 0);
  const timedSteps = steps - w;
  console.log(
    JSON.stringify({
      tokensPerSecond: (timedSteps * batch * t) / timedSeconds,
      msPerStep: (1000 * timedSeconds) / timedSteps,
      minorFaultsPerStep: (faults[steps - 1] - (w > 0 ? faults[w - 1] : 0)) / timedSteps,
      timedSteps,
      warmUpSteps: w,
      seconds: elapsed,
      losses,
      gradNorms,
      parameters: names.reduce((sum, n) => sum + params[n].size, 0),
      threads: getThreadsCount(),
      tensorsAlive: tf.memory().numTensors,
      backend: tf.getBackend(),
      tfjs: tf.version_core,
    }),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
