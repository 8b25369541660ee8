/**
 * localist: localization kernels, local means, the classical methods built on them, and (in later
 * modules) transformers whose attention is a kernel local mean. This file is the whole public API.
 */
export { initEngine, np, fromHost, toFloat64, type JaxArray, type FloatDType } from "./engine.js";
export { LocalistError } from "./errors.js";
export * from "./kernels/index.js";
export * from "./local/index.js";
export * as data from "./data/index.js";
