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
      "ANCHOR_KINDS",
      "ComputeThreadError",
      "LocalistError",
      "LocalistModel",
      "SpecError",
      "engineThreads",
      "fromHost",
      "initEngine",
      "np",
      "onThreadFailure",
      "readAsync",
      "toFloat64",
      "tree",
      "validateTrainingSpec",
    ],
    types: [
      "EngineOptions",
      "JaxArray",
      "FloatDType",
      "Split",
      "RunSettings",
      "EvaluateOptions",
      "GenerateOptions",
      "ExplainSettings",
      "BlockLabeller",
      "ExplainSession",
      "SessionWindow",
      "SessionSettings",
      "SessionPass",
      "NextToken",
      "TrainingSpec",
      "AnchorKind",
      "RunOptions",
      "HookSettings",
      "SweepRow",
      "SweepOptions",
    ],
  },
  "./kernels": {
    source: "src/api/kernels.ts",
    values: [
      "DISTANCE_PROFILES",
      "blockKernel",
      "distanceDecayKernel",
      "distanceKernel",
      "dotProductKernel",
      "kernelMatrix",
      "kernelWeights",
      "logKernelIntegral",
      "logKernelMass",
      "nearestNeighbourKernel",
      "onColumns",
      "positionalWindowKernel",
      "powerKernel",
      "preciseExp",
      "preciseLog",
      "productKernel",
      "scottBandwidth",
      "silvermanBandwidth",
      "weightedMean",
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
      "classicalHopfieldRetrieve",
      "crossValidatedBandwidth",
      "denoise",
      "denoiseAsync",
      "estimateMeanShiftBandwidth",
      "gaussianProcess",
      "gaussianProcessAsync",
      "hopfieldRetrieve",
      "hopfieldRetrieveAsync",
      "kMeans",
      "kernelDensity",
      "kernelDensityAsync",
      "kernelRidge",
      "kernelRidgeAsync",
      "knnClassify",
      "knnRegress",
      "localMean",
      "localMeanAsync",
      "localMode",
      "localModeAsync",
      "localWeights",
      "localize",
      "localizeAsync",
      "locallyLinearEmbedding",
      "locallyLinearEmbeddingAsync",
      "meanShift",
      "meanShiftAsync",
      "tskModel",
      "tskModelAsync",
      "weightedLogisticModel",
      "weightedPolynomialModel",
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
      "BpeTokenizer",
      "CharTokenizer",
      "WordTokenizer",
      "bigramModel",
      "lexiconLabels",
      "occurrenceLabeller",
      "loadLmCorpus",
      "parseLexicon",
      "recallLines",
      "recallText",
      "tagText",
      "taggerLabels",
      "tokenizerFromJSON",
      "unigramModel",
    ],
    types: [
      "LmCorpus",
      "LmCorpusOptions",
      "AnyTokenizer",
      "TokenizerKindName",
      "EncodedSpans",
      "TaggedWord",
      "CoarseClass",
      "BlockLabels",
      "OccurrenceLabeller",
      "LabelledWords",
      "Span",
      "Lexicon",
      "LexiconFallback",
      "StoredLexicon",
      "NgramModel",
      "RecallLine",
      "TokenizerKind",
      "PreparedData",
      "RecallOptions",
      "Tokenizer",
      "TokenizerJSON",
      "TokenizerOptions",
    ],
  },
  "./model": {
    source: "src/api/model.ts",
    values: [
      "POSITIONAL_ENCODINGS",
      "assembleHooks",
      "attentionMaps",
      "CompiledMapsPass",
      "checkModelRules",
      "crossEntropy",
      "demoModel",
      "denseLocalWeights",
      "forward",
      "generateTokens",
      "globalCausalAttention",
      "initParams",
      "listAnchors",
      "localCausalAttention",
      "parameterShapes",
      "parseAttentionSpec",
      "runDemo",
      "validateModelConfig",
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
      "MapsPass",
      "MapsPassArrays",
      "HookedParts",
      "AttentionOptions",
      "InspectOptions",
      "HeadGroupAttention",
      "HookInputs",
      "ForwardOptions",
      "AnchorListing",
      "CheckResult",
      "CheckSource",
      "DemoResult",
      "Announce",
    ],
  },
  "./locality": {
    source: "src/api/locality.ts",
    values: [
      "SCHEDULES",
      "anchorScores",
      "binaryEntropy",
      "buildLocalistStructure",
      "checkCompliance",
      "compileRules",
      "defaultRouting",
      "dialMatrix",
      "dialThreshold",
      "explainText",
      "fileBlocks",
      "formatExplanation",
      "leakBound",
      "measureAttention",
      "parseDial",
      "parseRuleSpecs",
      "posBlocks",
      "readRuleSpecs",
      "requiredGap",
      "routingFromFile",
      "rowMetrics",
      "withStrength",
      "zeroDial",
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
      "createEvaluator",
      "evaluateStream",
      "runTrainingLoop",
      "trainLanguageModel",
      "warmupCosine",
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
      "DistributionRegressor",
      "KME_HEADS",
      "TASK_NAMES",
      "bagSource",
      "crossValidate",
      "crossValidationFolds",
      "distributionTask",
      "embeddingInnerProducts",
      "initSetParams",
      "kmeRidge",
      "nearestMemberMask",
      "predictSetModel",
      "sampleBagSet",
      "setAttention",
      "setModelForward",
      "taskSource",
      "trainSetModel",
      "validateSetModelConfig",
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
      "Prediction",
      "FitOptions",
      "FitReport",
      "RegressorInfo",
      "RegressorSpec",
      "KmeHead",
      "ResolvedSpec",
      "CrossValidationRow",
      "CrossValidationOptions",
      "SetAttentionOptions",
      "KmeChoice",
      "OuterKernel",
      "KmeRidgeState",
      "KmeGpState",
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
    values: [
      "SPLITS",
      "TokenFolder",
      "loadModel",
      "prepareCorpus",
      "readBagFiles",
      "readBagsFile",
      "saveModel",
    ],
    types: [
      "SavedModel",
      "BagsFile",
      "PrepareOptions",
      "PrepareResult",
      "PrepareBlocks",
      "TokenSource",
      "TokenWindow",
      "TokenManifest",
      "SplitName",
      "StoredOptimizer",
      "ProgressStream",
    ],
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
