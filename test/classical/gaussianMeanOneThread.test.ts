/** The fused gaussian local mean and the asynchronous local means on one compute thread. */
import "../../src/engine/threads.js"; // as a Node entry point does: before the engine
import { before } from "node:test";
import { initEngine } from "../../src/engine/engine.js";
import { gaussianMeanChecks } from "./gaussianMeanChecks.js";

before(() => initEngine({ threads: 1 }));
gaussianMeanChecks();
