/** The fused gaussian local mean and the asynchronous local means on two compute threads. */
import "../../src/engine/threads.js"; // as a Node entry point does: before the engine
import { before } from "node:test";
import { initEngine, machineCores } from "../../src/engine/engine.js";
import { gaussianMeanChecks } from "./gaussianMeanChecks.js";

before(() => initEngine({ threads: Math.min(2, machineCores()) }));
gaussianMeanChecks();
