/**
 * The fused gaussian local mean, the asynchronous local means and the asynchronous forms of the
 * other classical methods (classicalAsyncChecks.ts) on two compute threads.
 */
import "../../src/engine/threads.js"; // as a Node entry point does: before the engine
import { before } from "node:test";
import { initEngine, machineCores } from "../../src/engine/engine.js";
import { gaussianMeanChecks } from "./gaussianMeanChecks.js";
import { classicalAsyncChecks } from "./classicalAsyncChecks.js";

before(() => initEngine({ threads: Math.min(2, machineCores()) }));
gaussianMeanChecks();
classicalAsyncChecks();
