/**
 * The public API is the package's subpath entry files (package.json "exports": src/index.ts and
 * src/api/*.ts). This test names every export of every subpath, values and types, so a change to
 * the API is a visible change in review: update the lists here when you mean it. It also holds
 * each name to one subpath, and package.json's "exports" to the entry files.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";

interface Subpath {
  /** The entry file, from the repository root. */
  source: string;
  values: string[];
  types: string[];
}

const API: Record<string, Subpath> = {
  ".": {
    source: "src/index.ts",
    values: [
      "initEngine",
      "engineThreads",
      "np",
      "tree",
      "fromHost",
      "toFloat64",
      "readAsync",
      "LocalistError",
      "onThreadFailure",
      "ComputeThreadError",
    ],
    types: ["EngineOptions", "JaxArray", "FloatDType"],
  },
  "./kernels": {
    source: "src/api/kernels.ts",
    values: [
      "preciseExp",
      "preciseLog",
      "productKernel",
      "powerKernel",
      "onColumns",
      "kernelMatrix",
      "distanceKernel",
      "DISTANCE_PROFILES",
      "nearestNeighbourKernel",
      "dotProductKernel",
      "positionalWindowKernel",
      "distanceDecayKernel",
      "blockKernel",
      "scottBandwidth",
      "silvermanBandwidth",
      "logKernelIntegral",
      "kernelWeights",
      "weightedMean",
      "logKernelMass",
    ],
    types: [
      "LogKernel",
      "DistanceProfile",
      "Bandwidth",
      "WindowOptions",
      "KernelWeights",
      "WeightOptions",
      "WeightedMean",
    ],
  },
  "./classical": {
    source: "src/api/classical.ts",
    values: [
      "localMean",
      "localMode",
      "localWeights",
      "localize",
      "weightedPolynomialModel",
      "weightedLogisticModel",
      "knnRegress",
      "knnClassify",
      "meanShift",
      "estimateMeanShiftBandwidth",
      "locallyLinearEmbedding",
      "crossValidatedBandwidth",
      "kernelDensity",
      "kernelRidge",
      "gaussianProcess",
      "hopfieldRetrieve",
      "classicalHopfieldRetrieve",
      "tskModel",
      "kMeans",
      "denoise",
    ],
    types: [
      "WeightedModel",
      "KernelRidgeModel",
      "GaussianProcessModel",
      "TskModel",
      "KMeansResult",
      "CrossValidationResult",
      "ChunkOptions",
      "DenoiseOptions",
      "TskOptions",
      "GaussianProcessOptions",
      "ClassicalHopfieldOptions",
      "HopfieldOptions",
      "KMeansOptions",
      "KernelRidgeOptions",
      "LleOptions",
      "LocalModeResult",
      "LogisticOptions",
      "MeanShiftOptions",
      "MeanShiftResult",
      "ClassifierResult",
      "NeighbourOptions",
    ],
  },
  "./data": {
    source: "src/api/data.ts",
    values: [
      "loadLmCorpus",
      "WordTokenizer",
      "CharTokenizer",
      "tokenizerFromJSON",
      "unigramModel",
      "bigramModel",
      "recallLines",
      "recallText",
    ],
    types: [
      "LmCorpus",
      "LmCorpusOptions",
      "NgramModel",
      "RecallLine",
      "TokenizerKind",
      "RecallOptions",
      "Tokenizer",
      "TokenizerJSON",
      "TokenizerOptions",
    ],
  },
  "./model": {
    source: "src/api/model.ts",
    values: [
      "globalCausalAttention",
      "localCausalAttention",
      "denseLocalWeights",
      "validateModelConfig",
      "parseAttentionSpec",
      "POSITIONAL_ENCODINGS",
      "initParams",
      "parameterShapes",
      "forward",
      "crossEntropy",
      "generateTokens",
      "attentionMaps",
      "openModel",
      "openLocalistModel",
      "closeModel",
      "modelHooks",
      "modelSplits",
      "trainNewModel",
      "resumeTraining",
      "sweepDial",
      "runDemo",
      "demoModel",
      "loadRules",
      "modelRules",
      "checkModelRules",
      "listAnchors",
    ],
    types: [
      "AttentionResult",
      "ModelConfig",
      "AttentionSpec",
      "PositionalEncoding",
      "ParamMap",
      "AttentionHooks",
      "HookSource",
      "LayerBias",
      "LayerAttention",
      "AuxiliaryTerm",
      "TokenBatch",
      "SampleOptions",
      "AttentionMaps",
      "LoadedModel",
      "NewModel",
      "SweepRow",
      "AttentionOptions",
      "InspectOptions",
      "HeadGroupAttention",
      "HookInputs",
      "ForwardOptions",
      "AnchorListing",
      "CheckResult",
      "CheckSource",
      "DemoResult",
      "SweepOptions",
      "Announce",
    ],
  },
  "./locality": {
    source: "src/api/locality.ts",
    values: [
      "buildLocalistStructure",
      "posBlocks",
      "fileBlocks",
      "defaultRouting",
      "routingFromFile",
      "dialMatrix",
      "parseDial",
      "SCHEDULES",
      "dialHook",
      "zeroDial",
      "measureAttention",
      "explainText",
      "formatExplanation",
      "rowMetrics",
      "leakBound",
      "dialThreshold",
      "requiredGap",
      "binaryEntropy",
      "readRuleSpecs",
      "compileRules",
      "parseRuleSpecs",
      "withStrength",
      "ruleHook",
      "checkCompliance",
      "anchorHook",
      "anchorScores",
    ],
    types: [
      "LocalistStructure",
      "LocalistEntry",
      "BlockSpec",
      "Routing",
      "Schedule",
      "DialValue",
      "AttentionReport",
      "Explanation",
      "RowMetrics",
      "RuleSpec",
      "RuleSet",
      "CompiledRule",
      "RuleHook",
      "ComplianceReport",
      "RuleResult",
      "AnchorsEntry",
      "AnchorScore",
      "Recruitment",
      "StructureSpec",
      "RuleRow",
      "RuleRunOptions",
      "ExplainOptions",
      "ExplainedHead",
      "DialHookOptions",
      "DialSetting",
      "MeasureExtras",
      "MetricSummary",
      "RowInput",
      "Selector",
      "SelectorContext",
      "LocalistTraining",
      "RecruitmentLog",
      "ExplainedRow",
    ],
  },
  "./train": {
    source: "src/api/train.ts",
    values: [
      "adamw",
      "warmupCosine",
      "runTrainingLoop",
      "trainLanguageModel",
      "evaluateStream",
      "createEvaluator",
    ],
    types: [
      "Optimizer",
      "OptimizerState",
      "TrainingLoop",
      "StepRecord",
      "LanguageModelRun",
      "TrainSummary",
      "TrainSettings",
      "Evaluation",
      "Evaluator",
      "Adaptation",
      "TrainOptions",
      "TrainingData",
      "DivergenceHints",
      "LoopResult",
      "StepGradients",
      "AdamWOptions",
    ],
  },
  "./distreg": {
    source: "src/api/distreg.ts",
    values: [
      "distributionTask",
      "sampleBagSet",
      "TASK_NAMES",
      "embeddingInnerProducts",
      "kmeRidge",
      "setAttention",
      "nearestMemberMask",
      "validateSetModelConfig",
      "initSetParams",
      "setModelForward",
      "trainSetModel",
      "predictSetModel",
      "taskSource",
      "bagSource",
    ],
    types: [
      "DistributionTask",
      "Bags",
      "BagSet",
      "SampleSets",
      "KmeRidgeModel",
      "KmeRidgeOptions",
      "SetModelConfig",
      "SetModel",
      "SetAttentionOptions",
      "KmeChoice",
      "OuterKernel",
      "Rng",
      "TaskDistribution",
      "TaskKind",
      "TaskOptions",
      "TwoStageOptions",
      "DeepSetsConfig",
      "SetTransformerConfig",
      "SetBatch",
      "PreparedBags",
      "SetTrainResult",
      "TrainSetOptions",
      "DataSource",
      "SetAttentionKind",
      "SetLossKind",
      "SetTrainSettings",
      "Draw",
      "TaskShape",
    ],
  },
  "./io": {
    source: "src/api/io.ts",
    values: ["saveModel", "loadModel", "readBagFiles"],
    types: ["SavedModel", "StoredOptimizer", "ProgressStream"],
  },
};

const root = new URL("../../../", import.meta.url);
const sorted = (names: readonly string[]) => [...names].sort((a, b) => a.localeCompare(b));

/** The type-only names an entry file exports (`export type {…}` and `type X` in a list). */
function typeExports(source: string): string[] {
  const text = readFileSync(new URL(source, root), "utf8");
  const types: string[] = [];
  for (const [block] of text.matchAll(/export (type )?\{[^}]*\}/g)) {
    const whole = block.startsWith("export type");
    for (const part of block.replace(/^export (type )?\{|\}$/g, "").split(",")) {
      const name = part.trim();
      if (name === "") continue;
      if (whole || name.startsWith("type ")) types.push(name.replace(/^type /, ""));
    }
  }
  return types;
}

for (const [subpath, expected] of Object.entries(API)) {
  const name = subpath === "." ? "localist" : `localist/${subpath.slice(2)}`;
  test(`${name}: the values and types are exactly the chosen lists`, async () => {
    const compiled = new URL(`dist/${expected.source.replace(/\.ts$/, ".js")}`, root);
    const module = (await import(compiled.href)) as Record<string, unknown>;
    assert.deepEqual(sorted(Object.keys(module)), sorted(expected.values));
    assert.deepEqual(sorted(typeExports(expected.source)), sorted(expected.types));
  });
}

test("every name has one home: no subpath exports a name another one does", () => {
  const seen = new Map<string, string>();
  for (const [subpath, { values, types }] of Object.entries(API))
    for (const name of [...values, ...types]) {
      assert.ok(!seen.has(name), `${name} is exported by both ${seen.get(name)} and ${subpath}`);
      seen.set(name, subpath);
    }
});

test('package.json "exports" maps each subpath to its entry file, and every entry file is one', () => {
  const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
    exports: Record<string, { types: string; default: string } | string>;
  };
  const expected: Record<string, unknown> = { "./package.json": "./package.json" };
  for (const [subpath, { source }] of Object.entries(API)) {
    const compiled = `./dist/${source.replace(/\.ts$/, "")}`;
    expected[subpath] = { types: `${compiled}.d.ts`, default: `${compiled}.js` };
  }
  assert.deepEqual(pkg.exports, expected);
  const entryFiles = readdirSync(new URL("src/api/", root)).map((file) => `src/api/${file}`);
  assert.deepEqual(
    sorted(entryFiles),
    sorted(
      Object.values(API)
        .map(({ source }) => source)
        .filter((source) => source.startsWith("src/api/")),
    ),
  );
});
