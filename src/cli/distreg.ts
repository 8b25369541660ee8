/**
 * `localist distreg`: distribution regression with transformers — learning curves against N and m,
 * functional complexity, prompt tuning and PEFT, and scaling — on the synthetic tasks or on the
 * user's own bags; tables on stdout, progress on stderr, an SVG plot with --plot.
 */
import {
  distributionTask,
  TASK_NAMES,
  type DistributionTask,
} from "../data/distributions/tasks.js";
import { writeFileAtomic } from "../io/atomicWrite.js";
import { readBagFiles } from "../io/bags.js";
import { runComplexity } from "../workflows/distreg/complexity.js";
import { runCurves } from "../workflows/distreg/curves.js";
import { formatResult, plotResult, type ExperimentResult } from "../workflows/distreg/format.js";
import { neuralConfig, type NeuralSettings } from "../workflows/distreg/models.js";
import { MIXTURE_FUNCTIONALS, runPeft } from "../workflows/distreg/peft.js";
import { runScaling } from "../workflows/distreg/scaling.js";
import { bagSource, taskSource, type DataSource } from "../workflows/distreg/source.js";
import type { Command } from "./command.js";
import {
  checkSizes,
  DISTREG_FLAGS,
  integerList,
  methodList,
  modelList,
  nameList,
  neuralSettings,
  type Experiment,
} from "./distregFlags.js";
import { asUsageError, UsageError, type ParsedFlags } from "./flags.js";

/** The data sources the flags name: tasks, or the user's bags. */
function sources(parsed: ParsedFlags, experiment: Experiment): DataSource[] {
  const { flags } = parsed;
  if (flags.bags !== undefined || flags.targets !== undefined) {
    if (flags.bags === undefined) throw new UsageError("--targets needs --bags (the samples)");
    if (flags.targets === undefined) throw new UsageError("--bags needs --targets (one per bag)");
    if (flags.task !== undefined) throw new UsageError("choose one of --task and --bags");
    if (experiment === "peft")
      throw new UsageError("the peft experiment uses the 1-D mixture family, not --bags");
    return [
      bagSource(readBagFiles(flags.bags as string, flags.targets as string), flags.bags as string),
    ];
  }
  if (experiment === "peft") {
    if (flags.task !== undefined)
      throw new UsageError(
        "the peft experiment uses the 1-D mixture family; choose its functionals with --pretrain-targets and --target, not --task",
      );
    return [];
  }
  if (flags.task === undefined)
    throw new UsageError("'localist distreg' needs --task NAME or --bags FILE");
  if (parsed.given.has("dim") && !String(flags.task).split(",").includes("gaussian-logdet"))
    throw new UsageError("--dim sets the dimension of gaussian-logdet only");
  const tasks: DistributionTask[] = nameList(flags, "task", TASK_NAMES).map((name) =>
    distributionTask(name, { dim: flags.dim as number }),
  );
  if (experiment !== "complexity" && tasks.length > 1)
    throw new UsageError(
      `the ${experiment} experiment takes one task; list several for --experiment complexity`,
    );
  return tasks.map(taskSource);
}

/** Checks every architecture and size the experiment will use, before any work. */
function checkPlan(
  experiment: Experiment,
  list: DataSource[],
  neural: NeuralSettings,
  sizes: { n: number; m: number; prompts: number; widths?: number[]; depths?: number[] },
): void {
  for (const source of list.length > 0 ? list : [undefined]) {
    const shape = source?.shape ?? { kind: "regression" as const, dim: 1, targets: 1 };
    const m = Math.min(sizes.m, source?.sampleLimit ?? Infinity);
    checkSizes({ bags: sizes.n, samples: m, dim: shape.dim, neural, extraTokens: sizes.prompts });
    asUsageError(() => {
      if (experiment === "scaling")
        for (const width of sizes.widths ?? [])
          for (const layers of sizes.depths ?? [])
            neuralConfig("transformer", shape, { ...neural, width, layers });
      else
        for (const name of ["transformer", "local-transformer", "deepsets"] as const)
          neuralConfig(name, shape, neural);
    });
  }
}

async function run(parsed: ParsedFlags): Promise<string> {
  const { flags, given } = parsed;
  if (flags.json && flags.markdown) throw new UsageError("choose one of --json and --markdown");
  const experiment = flags.experiment as Experiment;
  if (flags.plot !== undefined && experiment === "complexity")
    throw new UsageError(
      "--plot draws the curves, peft and scaling experiments; complexity is a table",
    );
  const neural = neuralSettings(flags);
  const ns = integerList(flags, "n");
  const ms = integerList(flags, "m");
  const models = modelList(flags);
  const list = sources(parsed, experiment);
  const userBags = list.length === 1 && list[0].bagCount !== Infinity;
  const testBags =
    userBags && !given.has("test-bags")
      ? Math.max(2, Math.floor(list[0].bagCount / 5))
      : (flags["test-bags"] as number);
  const settings = { models, seeds: flags.seeds as number, testBags, neural };
  const n = ns[ns.length - 1];
  const m = ms[ms.length - 1];
  let result: ExperimentResult;
  switch (experiment) {
    case "curves":
      checkPlan(experiment, list, neural, { n, m, prompts: 0 });
      result = await runCurves(list[0], { ...settings, ns, ms });
      break;
    case "complexity":
      checkPlan(experiment, list, neural, { n, m, prompts: 0 });
      result = await runComplexity(list, { ...settings, n, m });
      break;
    case "scaling": {
      const widths = integerList(flags, "widths");
      const depths = integerList(flags, "depths");
      checkPlan(experiment, list, neural, { n, m, prompts: 0, widths, depths });
      result = await runScaling(list[0], { ...settings, n, m, widths, depths });
      break;
    }
    case "peft": {
      const adapt = integerList(flags, "adapt");
      const pretrainBags = flags["pretrain-bags"] as number;
      checkPlan(experiment, list, neural, {
        n: Math.max(pretrainBags, adapt[adapt.length - 1]),
        m,
        prompts: flags.prompts as number,
      });
      if ((flags.rank as number) > neural.width)
        throw new UsageError(
          `--rank ${flags.rank as number} is larger than the width ${neural.width}`,
        );
      result = await runPeft({
        ...settings,
        methods: methodList(flags),
        pretrainBags,
        adaptBags: adapt,
        m,
        pretrainTargets: nameList(flags, "pretrain-targets", MIXTURE_FUNCTIONALS),
        target: flags.target as string,
        prompts: flags.prompts as number,
        rank: flags.rank as number,
      });
      break;
    }
  }
  if (flags.plot !== undefined)
    writeFileAtomic(flags.plot as string, plotResult(result) as string, "plot file");
  if (flags.json) return JSON.stringify(result, null, 2);
  return formatResult(result, flags.markdown ? "markdown" : "plain", neural);
}

export const DISTREG: Command = {
  summary: "distribution regression: set transformers, KME and Deep Sets; curves, PEFT, scaling",
  usage:
    "localist distreg --task NAME [--experiment curves|complexity|peft|scaling] [--n 32,64,…] [--m 8,16,…] [--models …] [--seeds S] [--json | --markdown] [--plot FILE.svg]\n" +
    "       localist distreg --bags FILE.csv --targets FILE.csv [options]",
  description:
    "Distribution regression: N distributions seen through m samples each (two-stage sampling) with exact\n" +
    "targets, learned by a set transformer (global or k-NN-local attention), kernel mean embeddings + ridge,\n" +
    "and Deep Sets; test error on held-out distributions. Experiments: learning curves against N and m with\n" +
    "log–log slopes (curves), which model wins on which functional (complexity, several --task), prompt\n" +
    "tuning, LoRA, fine-tuning and scratch against the number of adaptation bags (peft), error against\n" +
    "width and depth (scaling).",
  flags: DISTREG_FLAGS,
  run,
};
