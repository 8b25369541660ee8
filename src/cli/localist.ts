/** `localist sweep`, `localist explain` and `localist demo`: the locality dial on a trained model. */
import { THREADS_FLAG } from "./command.js";
import { writeFileAtomic } from "../io/atomicWrite.js";
import { formatExplanation } from "../localist/explain.js";
import { runDemo } from "../lm/demo.js";
import { LocalistModel } from "../lm/node.js";
import { sweepPlot, sweepTable } from "../lm/sweep.js";
import type { Command } from "./command.js";
import { RULES_FLAG, rulesFromFlags } from "./rules.js";
import {
  AT_LEAST_ONE,
  NON_NEGATIVE,
  POSITIVE,
  requireFlag,
  seedFlag,
  UsageError,
} from "./flags.js";
import { trainReport } from "./lm.js";
import { DIAL_FLAG, dialFromFlags, dialListFromFlag, SCHEDULE_FLAG } from "./localistFlags.js";
import type { Schedule } from "../localist/dial.js";

const MODEL_FLAG = {
  name: "model",
  kind: "string",
  value: "DIR",
  help: "a model trained with --localist (required)",
} as const;

export const SWEEP: Command = {
  summary: "entropy, pointer fidelity, certified fidelity and perplexity across the locality dial",
  usage: "localist sweep --model DIR [options]",
  description:
    "Entropy, pointer fidelity, certified fidelity, perplexity and accuracy across the locality dial.",
  flags: [
    MODEL_FLAG,
    {
      name: "dials",
      kind: "string",
      value: "LIST",
      default: "0,0.1,0.2,0.3,0.4,0.5,0.6,0.7,0.8,0.9,1",
      help: "dial values",
    },
    SCHEDULE_FLAG,
    {
      name: "split",
      kind: "string",
      choices: ["valid", "test"],
      default: "valid",
      value: "SPLIT",
      help: "which split",
    },
    {
      name: "windows",
      kind: "integer",
      constraint: POSITIVE,
      default: 200,
      help: "evaluation windows per dial (perplexity, accuracy)",
    },
    {
      name: "batch",
      kind: "integer",
      constraint: POSITIVE,
      default: 16,
      help: "windows per evaluation batch (lower it for a large model)",
    },
    {
      name: "inspect-windows",
      kind: "integer",
      constraint: POSITIVE,
      default: 16,
      help: "windows whose attention rows are measured per dial",
    },
    RULES_FLAG,
    { name: "json", kind: "boolean", help: "print JSON instead of a table" },
    THREADS_FLAG,
    {
      name: "plot",
      kind: "string",
      value: "FILE.svg",
      output: "file",
      help: "write the entropy and fidelity curves as SVG",
    },
  ],
  async run({ flags }) {
    const dir = requireFlag(flags, "model", "localist sweep");
    const dials = dialListFromFlag(flags.dials as string);
    const model = LocalistModel.open(dir);
    let rows;
    try {
      model.requireLocalist();
      const rules = rulesFromFlags(flags, model);
      const split = flags.split as "valid" | "test";
      const blocks = model.splitBlocks(split);
      rows = await model.sweep(model.split(split), dials, {
        ...(blocks ? { blocks } : {}),
        schedule: flags.schedule as Schedule,
        windows: flags.windows as number,
        batch: flags.batch as number,
        inspectWindows: flags["inspect-windows"] as number,
        rules,
      });
    } finally {
      model.dispose();
    }
    if (flags.plot !== undefined)
      writeFileAtomic(
        flags.plot as string,
        sweepPlot(rows, `Locality dial sweep: ${dir}`),
        "plot file",
      );
    if (flags.json)
      return JSON.stringify(
        { model: dir, schedule: flags.schedule, split: flags.split, rows },
        null,
        2,
      );
    return sweepTable(rows);
  },
};

export const EXPLAIN: Command = {
  summary: "where each token attends, per layer and head, with a heatmap and the certified bound",
  usage: "localist explain --model DIR --text TEXT [options]",
  description:
    "Where each token attends, per layer and head, with a heatmap and the certified bound.",
  flags: [
    MODEL_FLAG,
    { name: "text", kind: "string", value: "TEXT", help: "text to explain (required)" },
    { ...DIAL_FLAG, default: "1" },
    SCHEDULE_FLAG,
    RULES_FLAG,
    { name: "layer", kind: "integer", constraint: NON_NEGATIVE, help: "only this layer (0-based)" },
    { name: "head", kind: "integer", constraint: NON_NEGATIVE, help: "only this head (0-based)" },
    {
      name: "top",
      kind: "integer",
      constraint: AT_LEAST_ONE,
      default: 3,
      help: "keys listed per token",
    },
    {
      name: "delta",
      kind: "number",
      constraint: { ok: (d) => d > 0 && d < 1, expected: "in (0, 1)" },
      default: 0.05,
      help: "δ for the dial threshold λ* (fidelity ≥ 1 − δ)",
    },
  ],
  run({ flags }) {
    const dir = requireFlag(flags, "model", "localist explain");
    const input = requireFlag(flags, "text", "localist explain");
    const model = LocalistModel.open(dir);
    try {
      const { config } = model;
      model.requireLocalist();
      const ids = model.encode(input);
      if (ids.length === 0)
        throw new UsageError("the text has no tokens; give some words with --text");
      // A text longer than the context: its last T tokens, said in a note (as ids, so a model with
      // blocks per occurrence falls back to each token's block there).
      const fits = ids.length <= config.context;
      if (!fits)
        process.stderr.write(
          `note: the text has ${ids.length} tokens; explaining its last ${config.context} (the model's context)\n`,
        );
      const pick = (flag: "layer" | "head", count: number): number[] | undefined => {
        const chosen = flags[flag] as number | undefined;
        if (chosen === undefined) return undefined;
        if (chosen < 0 || chosen >= count)
          throw new UsageError(`--${flag} must be in [0, ${count - 1}], got ${chosen}`);
        return [chosen];
      };
      // The text itself when it fits, so a model with blocks per occurrence labels each word in its
      // own sentence.
      const explanation = model.explain(fits ? input : ids.slice(-config.context), {
        dial: dialFromFlags(flags, model), // --dial defaults to 1
        layers: pick("layer", config.layers),
        heads: pick("head", config.heads),
        top: flags.top as number,
        delta: flags.delta as number,
        rules: rulesFromFlags(flags, model),
      });
      return formatExplanation(explanation);
    } finally {
      model.dispose();
    }
  },
};

export const DEMO: Command = {
  summary:
    "the main job: train a small localist model on Brown, sweep the dial, write model and plot",
  usage: "localist demo [--out DIR]",
  description:
    "Train a small localist model on the Brown corpus (about 10 minutes), sweep the locality dial, and write the model, sweep.json and sweep.svg.",
  flags: [
    {
      name: "out",
      kind: "string",
      value: "DIR",
      output: "folder",
      default: "localist-demo",
      help: "where the model, sweep.json and sweep.svg go",
    },
    {
      name: "steps",
      kind: "integer",
      constraint: AT_LEAST_ONE,
      default: 1200,
      help: "training steps",
    },
    seedFlag(1, "seed"),
    THREADS_FLAG,
  ],
  async run({ flags }) {
    const out = flags.out as string;
    process.stderr.write(
      `localist demo: training a localist model on the Brown corpus into ${out}/model\n`,
    );
    const result = await runDemo({
      out,
      steps: flags.steps as number,
      seed: flags.seed as number,
      announce: (line) => process.stderr.write(`${line}\n`),
      onTrained: (summary, dir) => process.stderr.write(`${trainReport(dir, summary)}\n`),
    });
    return [
      sweepTable(result.rows),
      "",
      `model: ${result.modelDir}`,
      `sweep: ${result.sweepJson}, plot: ${result.sweepSvg}`,
      `next: npx localist explain --model ${result.modelDir} --text "the jury said the election was conducted fairly" --dial 1 --layer 1`,
    ].join("\n");
  },
};
