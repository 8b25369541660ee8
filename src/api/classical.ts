/**
 * The classical local methods, each "kernel log-weights, then a weighted mean" or a weighted fit:
 * Nadaraya–Watson and local modes, local polynomial and logistic models, k-NN, MeanShift, LLE,
 * bandwidth selection, and the rest of the general theory (density, kernel ridge and Gaussian
 * processes, Hopfield retrieval, TSK fuzzy rules, k-means, denoising). A function that fits
 * returns a model named after the method (`kernelRidge` → `KernelRidgeModel`).
 *
 * @module localist/classical
 */
import "../engine/threads.js"; // first, before jax-js loads: the compute threads for Node
import "../kernels/kdTreeThreads.js";

export {
  localMean,
  localMeanAsync,
  localMode,
  localModeAsync,
  localWeights,
} from "../classical/localMean.js";
export { localize, localizeAsync, type WeightedModel } from "../classical/localize.js";
export { weightedPolynomialModel } from "../classical/polynomial.js";
export { weightedLogisticModel } from "../classical/logistic.js";
export { knnRegress, knnClassify } from "../classical/neighbours.js";
export { meanShift, meanShiftAsync, estimateMeanShiftBandwidth } from "../classical/meanShift.js";
export { locallyLinearEmbedding, locallyLinearEmbeddingAsync } from "../classical/lle.js";
export { crossValidatedBandwidth } from "../classical/bandwidthSelection.js";
export { kernelDensity, kernelDensityAsync } from "../classical/density.js";
export { kernelRidge, kernelRidgeAsync, type KernelRidgeModel } from "../classical/kernelRidge.js";
export {
  gaussianProcess,
  gaussianProcessAsync,
  type GaussianProcessModel,
} from "../classical/gaussianProcess.js";
export {
  hopfieldRetrieve,
  hopfieldRetrieveAsync,
  classicalHopfieldRetrieve,
} from "../classical/hopfield.js";
export { tskModel, tskModelAsync, type TskModel } from "../classical/fuzzy.js";
export { kMeans, type KMeansResult } from "../classical/kMeans.js";
export { denoise, denoiseAsync } from "../classical/denoise.js";

// The options and results the functions above take and return.
export type { CrossValidationResult } from "../classical/bandwidthSelection.js";
export type { ChunkOptions } from "../classical/chunks.js";
export type { DenoiseOptions } from "../classical/denoise.js";
export type { TskOptions } from "../classical/fuzzy.js";
export type { GaussianProcessOptions } from "../classical/gaussianProcess.js";
export type { ClassicalHopfieldOptions, HopfieldOptions } from "../classical/hopfield.js";
export type { KMeansOptions } from "../classical/kMeans.js";
export type { KernelRidgeOptions } from "../classical/kernelRidge.js";
export type { LleOptions } from "../classical/lle.js";
export type { LocalModeResult } from "../classical/localMean.js";
export type { LogisticOptions } from "../classical/logistic.js";
export type { MeanShiftOptions, MeanShiftResult } from "../classical/meanShift.js";
export type { ClassifierResult, NeighbourOptions } from "../classical/neighbours.js";
