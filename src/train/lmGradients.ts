/**
 * One language-model training step's loss and gradients: a seeded batch of the training ids, the
 * loss compiled for the hooks of the moment (the dial and its penalty), and the token embedding's
 * gradient scattered on the host. Browser-safe: the Node run (./languageModel.ts) and the Lab's
 * in-page training both hand it to the one training loop (./loop.ts).
 */
import {
  fromHost,
  jit,
  np,
  readAsync,
  tree,
  valueAndGrad,
  type JaxArray,
} from "../engine/engine.js";
import type { ModelConfig } from "../model/config.js";
import { attachHooks, hookInputs, type HookInputs, type HookSource } from "../model/hooks.js";
import { crossEntropy } from "../model/loss.js";
import type { ParamMap } from "../model/params.js";
import { embedTokens, forwardFromEmbeddings } from "../model/transformer.js";
import type { TokenSource } from "../io/tokenFiles.js";
import { sampleBatch, sampleWindows, type BlockedBatch } from "./batches.js";
import type { StepGradients } from "./loop.js";
import type { TrainSettings } from "./settings.js";

/**
 * The embedding's gradient of one step: ∂L/∂x₀ (B·T, D) read back, its rows summed by token.
 * Takes ownership of the gradient.
 */
export type EmbeddingGradient = (gradX0: JaxArray, tokens: Int32Array) => Promise<JaxArray>;

/**
 * ∂L/∂E[v] = Σ_{p: token_p = v} ∂L/∂x₀[p], from ∂L/∂x₀ (B·T, D) on the host, as a dense (V, D)
 * array (docs/math.md#training). The (V, D) host buffer is made once and kept across steps: a
 * fresh one each step (5 MB at V = 10,000, D = 128) would fault in every page of it again, a cost
 * the profile showed on these VMs. After each upload only the rows the step touched are zeroed.
 */
export function embeddingGradient(vocab: number, width: number): EmbeddingGradient {
  const dense = new Float32Array(vocab * width);
  return async (gradX0, tokens) => {
    const g = await readAsync(gradX0);
    for (let p = 0; p < tokens.length; p++) {
      const row = tokens[p] * width;
      const from = p * width;
      for (let d = 0; d < width; d++) dense[row + d] += g[from + d];
    }
    const gradient = fromHost(dense, [vocab, width], np.float32); // copied into the engine
    for (const token of tokens) dense.fill(0, token * width, (token + 1) * width);
    return gradient;
  };
}

/** The compiled loss of `compileLoss`: ((total, values), (∂L/∂θ, ∂L/∂x₀)). */
export type LossAndGrad = (
  params: ParamMap,
  x0: JaxArray,
  targets: JaxArray,
  inputs: HookInputs[],
) => [[JaxArray, Record<string, JaxArray>], [ParamMap, JaxArray]];

/**
 * The loss and its gradients with respect to the parameters and to x₀, compiled for the hook
 * sources of the moment; the auxiliary outputs are the cross-entropy and each hook's terms (e.g.
 * the penalty), logged separately.
 */
export function compileLoss(
  config: Readonly<ModelConfig>,
  sources: readonly HookSource[],
): LossAndGrad & { dispose(): void } {
  return jit(
    valueAndGrad(
      (p: ParamMap, x0: JaxArray, targets: JaxArray, inputs: HookInputs[]) => {
        const hooks = attachHooks(sources, inputs);
        const ce = crossEntropy(forwardFromEmbeddings(p, x0, config, { hooks }), targets);
        const terms = hooks.finish?.() ?? [];
        let total = ce.ref;
        const values: Record<string, JaxArray> = {};
        if (terms.length > 0) values.crossEntropy = ce;
        else ce.dispose();
        for (const term of terms) {
          total = total.add(term.value.ref.mul(term.weight));
          values[term.name] = term.value;
        }
        return [total, values] as [JaxArray, Record<string, JaxArray>];
      },
      { argnums: [0, 1], hasAux: true },
    ),
  ) as unknown as LossAndGrad & { dispose(): void };
}

/** The gradients of a run's steps, with hooks that may change between steps (recruitment). */
export interface LmGradients {
  /** The loss and gradients of θ (borrowed) on the batch of `step` (read back asynchronously). */
  gradients(params: ParamMap, step: number): Promise<StepGradients>;
  /** Compiles the loss again for other hooks. */
  useHooks(sources: readonly HookSource[]): void;
  dispose(): void;
}

/**
 * One step's loss and gradients from token ids (B, T) on the host: x₀ looked up outside the
 * compiled loss, then ∂L/∂x₀ scattered into the embedding's gradient (`scatter`, made once per run
 * by `embeddingGradient`). Shared by the language model and the recognizers (./recognizer.ts).
 * Borrows θ; takes ownership of `targets` and `hookArrays`.
 */
export async function stepGradients(
  lossAndGrad: LossAndGrad,
  scatter: EmbeddingGradient,
  params: ParamMap,
  tokens: Int32Array,
  shape: [batch: number, length: number],
  targets: JaxArray,
  hookArrays: HookInputs[] = [],
): Promise<StepGradients> {
  const embedded = embedTokens(params.tokenEmbedding.ref, fromHost(tokens, shape, np.int32)); // (B, T, D)
  const [[loss, values], [grads, gradX0]] = lossAndGrad(
    tree.ref(params),
    embedded,
    targets,
    hookArrays,
  );
  grads.tokenEmbedding = grads.tokenEmbedding.add(await scatter(gradX0, tokens));
  return { loss, grads, values };
}

/** The language model's step gradients over seeded batches of the training ids. */
export function lmGradients(
  config: Readonly<ModelConfig>,
  settings: Pick<TrainSettings, "batch" | "seed">,
  /** The training ids in memory, or a source read by window (a prepared folder's split). */
  train: Int32Array | TokenSource,
  initial: readonly HookSource[],
): LmGradients {
  const { batch, seed } = settings;
  const t = config.context;
  let sources = initial;
  let lossAndGrad = compileLoss(config, sources);
  const scatter = embeddingGradient(config.vocabSize, config.dModel);
  return {
    async gradients(params, step) {
      const { inputs, targets, blocks }: BlockedBatch =
        train instanceof Int32Array
          ? sampleBatch(train, batch, t, seed, step)
          : sampleWindows(train, batch, t, seed, step);
      return stepGradients(
        lossAndGrad,
        scatter,
        params,
        inputs,
        [batch, t],
        fromHost(targets, [batch, t], np.int32),
        hookInputs(sources, {
          tokens: inputs,
          batch,
          length: t,
          step,
          ...(blocks ? { blocks } : {}),
        }),
      );
    },
    useHooks(next) {
      sources = next;
      lossAndGrad.dispose();
      lossAndGrad = compileLoss(config, sources);
    },
    dispose() {
      lossAndGrad.dispose();
    },
  };
}
