/**
 * `localist distreg`: distribution regression with transformers. `fit`, `predict` and `cv`
 * (./distregModel.ts) are the tool on the user's own bags; `curves` (also the command without a
 * subcommand, as before they existed) runs the experiments — learning curves against N and m,
 * functional complexity, prompt tuning and PEFT, and scaling — on the synthetic tasks or on the
 * user's bags; tables on stdout, progress on stderr, an SVG plot with --plot.
 */
import {
  distributionTask,
  TASK_NAMES,
  type DistributionTask,
} from "../data/distributions/tasks.js";
import { writeFileAtomic } from "../io/atomicWrite.js";
import { readBagFiles } from "../io/bags.js";
import { neuralConfig, type NeuralSettings } from "../distreg/models.js";
import { bagSource, taskSource, type DataSource } from "../distreg/source.js";
import { runComplexity } from "../../experiments/distreg/complexity.js";
import { runCurves } from "../../experiments/distreg/curves.js";
import {
  formatResult,
  plotResult,
  type ExperimentResult,
} from "../../experiments/distreg/format.js";
import { MIXTURE_FUNCTIONALS, runPeft } from "../../experiments/distreg/peft.js";
import { runScaling } from "../../experiments/distreg/scaling.js";
import type { Command } from "./command.js";
import { DISTREG_CV, DISTREG_FIT, DISTREG_PREDICT } from "./distregModel.js";
import {
  checkSizes,
  DISTREG_FLAGS,
  integerList,
  methodList,
  modelList,
  nameList,
  neuralSettings,
  withFlagNames,
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

/** The learning-curve and other experiments (`localist distreg curves`, and the older form). */
const CURVES: Command = {
  summary: "distribution-regression experiments: learning curves, complexity, PEFT, scaling",
  usage:
    "localist distreg [curves] --task NAME [--experiment curves|complexity|peft|scaling] [--n 32,64,…] [--m 8,16,…] [--models …] [--seeds S] [--json | --markdown] [--plot FILE.svg]\n" +
    "       localist distreg [curves] --bags FILE.csv --targets FILE.csv [options]",
  description:
    "Distribution regression: N distributions seen through m samples each (two-stage sampling) with exact\n" +
    "targets, learned by a set transformer (global or k-NN-local attention), kernel mean embeddings + ridge,\n" +
    "and Deep Sets; test error on held-out distributions. Experiments: learning curves against N and m with\n" +
    "log–log slopes (curves), which model wins on which functional (complexity, several --task), prompt\n" +
    "tuning, LoRA, fine-tuning and scratch against the number of adaptation bags (peft), error against\n" +
    "width and depth (scaling).",
  flags: DISTREG_FLAGS,
  run: (parsed) => withFlagNames(() => run(parsed)),
};

const SUBCOMMANDS = {
  fit: DISTREG_FIT,
  predict: DISTREG_PREDICT,
  cv: DISTREG_CV,
  curves: CURVES,
};

export const DISTREG: Command = {
  ...CURVES,
  summary: "distribution regression: fit, predict and cross-validate on your bags; experiments",
  usage:
    "localist distreg fit | predict | cv | curves [options]\n" +
    "       localist distreg --task NAME | --bags FILE.csv --targets FILE.csv [options]   (the experiments, as curves)",
  description:
    "Commands:\n" +
    Object.entries(SUBCOMMANDS)
      .map(([name, command]) => `  localist distreg ${name.padEnd(8)} ${command.summary}`)
      .join("\n") +
    "\n('localist distreg --task …' without a command runs the experiments, as 'curves' does;\n" +
    "'localist distreg <command> --help' for a command's options.)\n\n" +
    CURVES.description,
  subcommands: SUBCOMMANDS,
};
