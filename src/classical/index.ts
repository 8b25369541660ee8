export {
  localMean,
  localMode,
  localWeights,
  checkSupported,
  type LocalModeResult,
} from "./localMean.js";
export { localize, type WeightedModel } from "./localize.js";
export { weightedPolynomialModel } from "./polynomial.js";
export { weightedLogisticModel, type LogisticOptions } from "./logistic.js";
export {
  knnRegress,
  knnClassify,
  neighbourWeights,
  NEIGHBOUR_WEIGHTS,
  type NeighbourWeighting,
  type NeighbourOptions,
  type ClassifierResult,
} from "./neighbours.js";
export {
  meanShift,
  estimateMeanShiftBandwidth,
  MEAN_SHIFT_KERNELS,
  type MeanShiftKernel,
  type MeanShiftOptions,
  type MeanShiftResult,
} from "./meanShift.js";
export { locallyLinearEmbedding, type LleOptions } from "./lle.js";
export {
  crossValidatedBandwidth,
  crossValidationError,
  leaveOneOutMeans,
  type CrossValidationResult,
} from "./bandwidthSelection.js";
export { type ChunkOptions, DEFAULT_CHUNK_ELEMENTS } from "./chunks.js";
