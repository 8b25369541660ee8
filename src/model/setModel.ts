/**
 * One entry point for the set models: `setModelForward` dispatches on the configuration, and
 * `setModelLoss` is what training minimizes (squared error, or the mixture negative
 * log-likelihood of amortized clustering; ./setLoss.ts).
 */
import type { JaxArray } from "../engine/engine.js";
import { deepSetsForward } from "./deepSets.js";
import type { ParamMap } from "./params.js";
import type { SetModelConfig } from "./setConfig.js";
import { meanSquaredError, mixtureNegativeLogLikelihood } from "./setLoss.js";
import { setTransformerForward, type SetBatch } from "./setTransformer.js";

/** What a set model is trained to do with its outputs. */
export type SetLossKind = { kind: "regression" } | { kind: "mixture"; components: number };

/** Outputs (B, O) of either set model. Consumes the parameters and the batch's arrays. */
export function setModelForward(
  params: ParamMap,
  batch: SetBatch,
  config: SetModelConfig,
): JaxArray {
  return config.model === "transformer"
    ? setTransformerForward(params, batch, config)
    : deepSetsForward(params, batch, config);
}

/**
 * The training loss of a batch. targets: (B, T) for regression; ignored (pass any array) for a
 * mixture, whose loss reads the batch's own samples. Consumes everything it is given.
 */
export function setModelLoss(
  params: ParamMap,
  batch: SetBatch,
  targets: JaxArray,
  config: SetModelConfig,
  loss: SetLossKind,
): JaxArray {
  if (loss.kind === "regression") {
    return meanSquaredError(setModelForward(params, batch, config), targets);
  }
  targets.dispose();
  const { x, valid } = batch;
  const raw = setModelForward(params, { ...batch, x: x.ref, valid: valid.ref }, config);
  return mixtureNegativeLogLikelihood(raw, x, valid, loss.components);
}
