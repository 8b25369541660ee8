/** Saving and loading a model (./modelFiles.ts) in a checkpoint folder on disk (./checkpoint.ts). */
import { np, type JaxArray } from "../engine/engine.js";
import { loadCheckpoint, saveCheckpoint, type HostTensor } from "./checkpoint.js";
import {
  MODEL_FORMAT,
  MODEL_FORMAT_VERSION,
  modelFromCheckpoint,
  type SavedModel,
} from "./modelFiles.js";

export * from "./modelFiles.js";

/** A host copy of an engine array as float32 (takes ownership). */
function toHostTensor(x: JaxArray): HostTensor {
  const shape = [...x.shape];
  const data: ArrayLike<number> = x.astype(np.float32).dataSync();
  return { dtype: "F32", shape, data: Float32Array.from(data) };
}

/** Saves the model (borrowing its arrays) atomically into `dir`. */
export function saveModel(dir: string, model: SavedModel): void {
  const weights: Record<string, HostTensor> = {};
  for (const [name, p] of Object.entries(model.params)) weights[name] = toHostTensor(p.ref);
  let optimizer: Record<string, HostTensor> | undefined;
  if (model.optimizer) {
    optimizer = {};
    for (const [slot, values] of Object.entries(model.optimizer.slots))
      for (const [name, x] of Object.entries(values))
        optimizer[`${slot}.${name}`] = toHostTensor(x.ref);
  }
  const reserved = ["format", "version", "model", "step"];
  const clash = Object.keys(model.entries).find((name) => reserved.includes(name));
  if (clash) throw new Error(`checkpoint entry '${clash}' is reserved`);
  saveCheckpoint(
    dir,
    {
      config: {
        format: MODEL_FORMAT,
        version: MODEL_FORMAT_VERSION,
        model: model.config,
        step: model.step,
        ...model.entries,
      },
      tokenizer: model.tokenizer.toJSON(),
      weights,
      optimizer,
      state: { step: model.step, optimizerStep: model.optimizer?.count ?? 0 },
    },
    model.step,
  );
}

/** Loads a model saved by `saveModel` (or by 0.1.0) from `dir`, checking everything (./modelFiles.ts). */
export function loadModel(dir: string, options: { withOptimizer?: boolean } = {}): SavedModel {
  return modelFromCheckpoint(loadCheckpoint(dir), dir, options);
}
