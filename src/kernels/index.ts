export type { LogKernel } from "./logKernel.js";
export { productKernel, powerKernel, onColumns } from "./logKernel.js";
export {
  DISTANCE_PROFILES,
  type DistanceProfile,
  type Bandwidth,
  distanceKernel,
  squaredDistances,
  checkBandwidth,
} from "./distance.js";
export {
  type Neighbours,
  nearestNeighbours,
  nearestNeighbourKernel,
  selectSmallest,
} from "./nearest.js";
export {
  dotProductKernel,
  positionalWindowKernel,
  distanceDecayKernel,
  blockKernel,
  type WindowOptions,
} from "./sequence.js";
export { scottBandwidth, silvermanBandwidth, columnStandardDeviations } from "./bandwidthRules.js";
