/**
 * Where a training step's time goes: each part of a language-model step timed on its own, on the
 * demo's model and batches by default, written as a Markdown table (with the command that made it)
 * to --out.
 *
 *   npm run build && node dist/bench/step-profile.bench.js [--threads N] [--repeats 10]
 *     [--batch 32] [--context 32] [--layers 2] [--d-model 64] [--heads 4] [--vocab 5000]
 *     [--out bench/step-profile.md]
 *
 * The parts are the ones the training loop runs (src/train/languageModel.ts): the embedding
 * lookup, the compiled loss and gradients (forward and backward, hooks off), the embedding
 * gradient scattered on the host, and the compiled AdamW update with clipping; and, inside the
 * loss, the tied output head with the cross-entropy (forward and backward) and the forward pass
 * alone. Each part runs three times untimed (compilation), then --repeats times; the median is
 * reported. Reads are asynchronous, so the parts run on the engine's threads (--threads). Beside
 * each time: the minor page faults of one run of the part (the mean over the repeats, whole
 * process), i.e. how much fresh memory it touches: on these VMs a first touch costs several times
 * the work done on the page.
 */
import "../src/engine/threads.js"; // before jax-js: the compute threads
import { writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import {
  engineThreads,
  fromHost,
  initEngine,
  jit,
  machineCores,
  np,
  tree,
  valueAndGrad,
  type JaxArray,
} from "../src/engine/engine.js";
import { loadLmCorpus } from "../src/data/lmCorpus.js";
import { validateModelConfig } from "../src/model/config.js";
import { crossEntropy } from "../src/model/loss.js";
import { initParams, type ParamMap } from "../src/model/params.js";
import { embedTokens, forwardFromEmbeddings } from "../src/model/transformer.js";
import { sampleBatch } from "../src/train/batches.js";
import { compileLoss, embeddingGradient } from "../src/train/lmGradients.js";
import { runOptimizer } from "../src/train/settings.js";

const { values } = parseArgs({
  options: {
    threads: { type: "string" },
    repeats: { type: "string", default: "10" },
    batch: { type: "string", default: "32" },
    context: { type: "string", default: "32" },
    layers: { type: "string", default: "2" },
    "d-model": { type: "string", default: "64" },
    heads: { type: "string", default: "4" },
    vocab: { type: "string", default: "5000" },
    out: { type: "string", default: "bench/step-profile.md" },
  },
});
const integer = (name: keyof typeof values) => {
  const value = Number(values[name]);
  if (!Number.isInteger(value) || value < 1)
    throw new Error(`--${name} must be a positive integer`);
  return value;
};
await initEngine({ threads: values.threads === undefined ? machineCores() : integer("threads") });
const repeats = integer("repeats");
const [batch, t] = [integer("batch"), integer("context")];
const corpus = loadLmCorpus({
  corpus: "brown",
  tokenizer: "word",
  maxVocab: integer("vocab"),
  minCount: 1,
  lowercase: true,
});
const dModel = integer("d-model");
const config = validateModelConfig({
  vocabSize: corpus.tokenizer.vocabSize,
  context: t,
  layers: integer("layers"),
  heads: integer("heads"),
  dModel,
  dMlp: 4 * dModel,
  attention: { kind: "global" },
  positional: "learned",
  strict: false,
});
const settings = {
  steps: 1000,
  batch,
  learningRate: 3e-3,
  warmup: 30,
  seed: 1,
  weightDecay: 0.1,
  clipNorm: 1,
  checkpointEvery: 1000,
};
let params: ParamMap = initParams(config, 1);
const { inputs, targets } = sampleBatch(corpus.train, batch, t, 1, 0);
const tokens = () => fromHost(inputs, [batch, t], np.int32);
const targetArray = () => fromHost(targets, [batch, t], np.int32);

/** A part's median milliseconds and mean minor page faults per run. */
type Measured = [ms: number, faults: number];

const minorFaults = () => process.resourceUsage().minorPageFault;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** `part` (which awaits its own reads) measured over the repeats, after 3 warm-ups. */
async function time(part: () => Promise<void>): Promise<Measured> {
  for (let i = 0; i < 3; i++) await part();
  const times: number[] = [];
  const faults: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const [began, faulted] = [performance.now(), minorFaults()];
    await part();
    times.push(performance.now() - began);
    faults.push(minorFaults() - faulted);
  }
  return [median(times), mean(faults)];
}

const lossAndGrad = compileLoss(config, []);
const forwardOnly = jit((p: ParamMap, x0: JaxArray, y: JaxArray) =>
  crossEntropy(forwardFromEmbeddings(p, x0, config), y),
);
// The tied head alone: logits = x Eᵀ (B·T × D × V) and the cross-entropy, forward and backward.
const head = jit(
  valueAndGrad(
    (x: JaxArray, e: JaxArray, y: JaxArray) => crossEntropy(np.matmul(x, e.transpose()), y),
    {
      argnums: [0, 1],
    },
  ),
);
const optimizer = runOptimizer(settings);
let state = optimizer.init(params);
const hidden = () =>
  fromHost(new Float32Array(batch * t * dModel).fill(0.01), [batch, t, dModel], np.float32);

/** The gradients of one step, kept for the parts that consume them. */
async function gradientsOfStep(): Promise<{ grads: ParamMap; gradX0: JaxArray }> {
  const [[loss, aux], [grads, gradX0]] = lossAndGrad(
    tree.ref(params),
    embedTokens(params.tokenEmbedding.ref, tokens()),
    targetArray(),
    [],
  );
  await loss.data();
  tree.dispose(aux);
  return { grads, gradX0 };
}

const rows: [string, Measured][] = [];
rows.push([
  "embedding lookup (eager gather, B·T rows of E)",
  await time(async () => {
    await embedTokens(params.tokenEmbedding.ref, tokens()).data();
  }),
]);
rows.push([
  "forward pass and loss (compiled)",
  await time(async () => {
    await forwardOnly(
      tree.ref(params),
      embedTokens(params.tokenEmbedding.ref, tokens()),
      targetArray(),
    ).data();
  }),
]);
rows.push([
  "loss and gradients (compiled: forward and backward)",
  await time(async () => {
    const { grads, gradX0 } = await gradientsOfStep();
    await gradX0.data();
    tree.dispose(grads);
  }),
]);
rows.push([
  "  of which: tied output head and cross-entropy (forward and backward)",
  await time(async () => {
    const [loss, [dx, de]] = head(hidden(), params.tokenEmbedding.ref, targetArray()) as [
      JaxArray,
      [JaxArray, JaxArray],
    ];
    await loss.data();
    await dx.data();
    await de.data();
  }),
]);
const matmul = jit((x: JaxArray, e: JaxArray) => np.matmul(x, e.transpose()));
const [matmulMs] = await time(async () => {
  await matmul(hidden().reshape([batch * t, dModel]), params.tokenEmbedding.ref).data();
});
matmul.dispose();
{
  // The host scatter and the update need fresh gradients each time: made untimed.
  const scatterEmbedding = embeddingGradient(config.vocabSize, config.dModel);
  const scatter: [number[], number[]] = [[], []];
  const update: [number[], number[]] = [[], []];
  for (let i = 0; i < repeats + 3; i++) {
    const { grads, gradX0 } = await gradientsOfStep();
    await grads.tokenEmbedding.ref.data();
    let [began, faulted] = [performance.now(), minorFaults()];
    const dense = await scatterEmbedding(gradX0, inputs);
    grads.tokenEmbedding = grads.tokenEmbedding.add(dense);
    await grads.tokenEmbedding.ref.data();
    if (i >= 3) {
      scatter[0].push(performance.now() - began);
      scatter[1].push(minorFaults() - faulted);
    }
    [began, faulted] = [performance.now(), minorFaults()];
    const next = optimizer.update(grads, state, params);
    await next.health.data();
    if (i >= 3) {
      update[0].push(performance.now() - began);
      update[1].push(minorFaults() - faulted);
    }
    params = next.params;
    state = next.state;
  }
  rows.push([
    "embedding gradient (read ∂L/∂x₀, scatter on the host, add)",
    [median(scatter[0]), mean(scatter[1])],
  ]);
  rows.push(["AdamW update with clipping (compiled)", [median(update[0]), mean(update[1])]]);
}
const inStep = [0, 2, 4, 5]; // the parts a step runs (1 and 3 are inside 2)
const step = inStep.reduce((sum, i) => sum + rows[i][1][0], 0);
const stepFaults = inStep.reduce((sum, i) => sum + rows[i][1][1], 0);
const command = `node dist/bench/step-profile.bench.js ${process.argv.slice(2).join(" ")}`.trim();
const table = [
  `# Where a training step's time goes`,
  "",
  `\`${command}\` — ${config.layers} × ${dModel} (${config.heads} heads, MLP ${config.dMlp}), ` +
    `vocabulary ${config.vocabSize}, batch ${batch} × ${t} tokens, jax-js Wasm on ${engineThreads()} ` +
    `thread(s), median of ${repeats}; Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.`,
  "",
  "| part | ms | share of the step | minor page faults |",
  "| --- | ---: | ---: | ---: |",
  ...rows.map(
    ([name, [ms, faults]], i) =>
      `| ${name} | ${ms.toFixed(1)} | ${inStep.includes(i) ? `${((100 * ms) / step).toFixed(0)}%` : "—"} | ${faults.toFixed(0)} |`,
  ),
  `| **step (lookup + loss and gradients + embedding gradient + update)** | **${step.toFixed(1)}** | 100% | **${stepFaults.toFixed(0)}** |`,
  "",
  `The head's share of the loss and gradients: ${((100 * rows[3][1][0]) / rows[2][1][0]).toFixed(0)}%. ` +
    `Its forward product alone, (${batch * t} × ${dModel}) · (${dModel} × ${config.vocabSize}), takes ` +
    `${matmulMs.toFixed(1)} ms: ${((2 * batch * t * dModel * config.vocabSize) / matmulMs / 1e6).toFixed(2)} GFLOP/s; ` +
    `the backward pass needs two more products of that size.`,
  "",
].join("\n");
writeFileSync(values.out as string, table);
process.stdout.write(table);
tree.dispose(params);
tree.dispose(state.slots);
optimizer.dispose();
lossAndGrad.dispose();
forwardOnly.dispose();
head.dispose();
