/**
 * Localization kernels as log-weights, and the one weighted mean every method shares: a kernel
 * gives log w(x, xᵢ); the weights are softmax(log w) and the estimate Σᵢ wᵢ yᵢ.
 *
 * @module localist/kernels
 */
import "../engine/threads.js"; // first, before jax-js loads: the compute threads for Node
import "../kernels/kdTreeThreads.js";

export { preciseExp, preciseLog } from "../engine/precise.js";
export {
  productKernel,
  powerKernel,
  onColumns,
  kernelMatrix,
  type LogKernel,
} from "../kernels/logKernel.js";
export {
  distanceKernel,
  DISTANCE_PROFILES,
  type DistanceProfile,
  type Bandwidth,
} from "../kernels/distance.js";
export { nearestNeighbourKernel } from "../kernels/nearest.js";
export {
  dotProductKernel,
  positionalWindowKernel,
  distanceDecayKernel,
  blockKernel,
} from "../kernels/sequence.js";
export { scottBandwidth, silvermanBandwidth } from "../kernels/bandwidthRules.js";
export { logKernelIntegral } from "../kernels/normalization.js";
export { kernelWeights, weightedMean, logKernelMass } from "../kernels/weightedMean.js";

// The options and results the functions above take and return.
export type { WindowOptions } from "../kernels/sequence.js";
export type { KernelWeights, WeightOptions, WeightedMean } from "../kernels/weightedMean.js";
