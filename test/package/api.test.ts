/**
 * The public API is the list in src/index.ts. This test names every export, values and types, so
 * a change to the API is a visible change in review: update the lists here when you mean it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import * as localist from "../../src/index.js";

const VALUES = [
  "adamw",
  "attentionMaps",
  "bigramModel",
  "binaryEntropy",
  "blockKernel",
  "buildLocalistStructure",
  "CharTokenizer",
  "closeModel",
  "createEvaluator",
  "crossEntropy",
  "crossValidatedBandwidth",
  "defaultRouting",
  "demoModel",
  "denseLocalWeights",
  "dialHook",
  "dialMatrix",
  "dialThreshold",
  "DISTANCE_PROFILES",
  "distanceDecayKernel",
  "distanceKernel",
  "dotProductKernel",
  "estimateMeanShiftBandwidth",
  "evaluateStream",
  "explainText",
  "fileBlocks",
  "formatExplanation",
  "forward",
  "fromHost",
  "generateTokens",
  "globalCausalAttention",
  "initEngine",
  "initParams",
  "kernelWeights",
  "knnClassify",
  "knnRegress",
  "leakBound",
  "loadLmCorpus",
  "loadModel",
  "localCausalAttention",
  "LocalistError",
  "localize",
  "locallyLinearEmbedding",
  "localMean",
  "localMode",
  "localWeights",
  "meanShift",
  "measureAttention",
  "modelHooks",
  "modelSplits",
  "nearestNeighbourKernel",
  "np",
  "onColumns",
  "openLocalistModel",
  "openModel",
  "parameterShapes",
  "parseAttentionSpec",
  "parseDial",
  "posBlocks",
  "positionalWindowKernel",
  "powerKernel",
  "productKernel",
  "resumeTraining",
  "routingFromFile",
  "rowMetrics",
  "runBenchmark",
  "runDemo",
  "runTrainingLoop",
  "saveModel",
  "SCHEDULES",
  "scottBandwidth",
  "silvermanBandwidth",
  "sweepDial",
  "toFloat64",
  "tokenizerFromJSON",
  "trainLanguageModel",
  "trainNewModel",
  "tree",
  "unigramModel",
  "validateModelConfig",
  "warmupCosine",
  "weightedLogisticModel",
  "weightedMean",
  "weightedPolynomialModel",
  "WordTokenizer",
  "zeroDial",
];

const TYPES = [
  "AttentionHooks",
  "AttentionMaps",
  "AttentionReport",
  "AttentionResult",
  "AttentionSpec",
  "AuxiliaryTerm",
  "Bandwidth",
  "BlockSpec",
  "DialValue",
  "DistanceProfile",
  "Evaluation",
  "Explanation",
  "FloatDType",
  "HookSource",
  "JaxArray",
  "LanguageModelRun",
  "LayerAttention",
  "LayerBias",
  "LmCorpus",
  "LmCorpusOptions",
  "LoadedModel",
  "LocalistEntry",
  "LocalistStructure",
  "LogKernel",
  "ModelConfig",
  "NewModel",
  "NgramModel",
  "Optimizer",
  "OptimizerState",
  "ParamMap",
  "PositionalEncoding",
  "Routing",
  "RowMetrics",
  "SampleOptions",
  "SavedModel",
  "Schedule",
  "StepRecord",
  "SweepRow",
  "TokenBatch",
  "TrainingLoop",
  "TrainSettings",
  "TrainSummary",
  "WeightedModel",
];

const sorted = (names: readonly string[]) => [...names].sort((a, b) => a.localeCompare(b));

test("the public values are exactly the chosen list", () => {
  assert.deepEqual(sorted(Object.keys(localist)), sorted(VALUES));
});

test("the public types are exactly the chosen list", () => {
  const source = readFileSync(new URL("../../../src/index.ts", import.meta.url), "utf8");
  const types = new Set<string>();
  for (const [block] of source.matchAll(/export (type )?\{[^}]*\}/g)) {
    const whole = block.startsWith("export type");
    for (const part of block.replace(/^export (type )?\{|\}$/g, "").split(",")) {
      const name = part.trim();
      if (name === "") continue;
      if (whole || name.startsWith("type ")) types.add(name.replace(/^type /, ""));
    }
  }
  assert.deepEqual(sorted([...types]), sorted(TYPES));
});
