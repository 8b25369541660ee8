/**
 * The fused gaussian local mean, the asynchronous local means and the asynchronous forms of the
 * other classical methods (classicalAsyncChecks.ts) on one compute thread.
 */
import "../../src/engine/threads.js"; // as a Node entry point does: before the engine
import { before } from "node:test";
import { initEngine } from "../../src/engine/engine.js";
import { gaussianMeanChecks } from "./gaussianMeanChecks.js";
import { classicalAsyncChecks } from "./classicalAsyncChecks.js";

before(() => initEngine({ threads: 1 }));
gaussianMeanChecks();
classicalAsyncChecks();
