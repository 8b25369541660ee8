/**
 * The `localist` command: dispatches subcommands, prints one-line errors, returns the exit code
 * (0 success, 1 a problem with the input, 2 a command-line mistake).
 */
import { readFileSync } from "node:fs";
import { initEngine } from "../engine/engine.js";
import { LocalistError } from "../engine/errors.js";
import { UsageError } from "./flags.js";
import { runLocal } from "./local.js";
import { runEval, runGenerate, runTrain } from "./lm.js";
import { runDemo, runExplain, runSweep } from "./localist.js";
import { runExpressivity } from "./expressivity.js";

const COMMANDS: Record<string, string> = {
  local: "classical local methods (Nadaraya–Watson, local polynomial, k-NN, MeanShift, LLE) on CSV",
  train: "train a transformer language model (default: the Brown corpus)",
  eval: "perplexity and accuracy of a trained model, beside unigram and bigram baselines",
  generate: "continue a prompt with a trained model",
  expressivity: "local vs hybrid vs global attention recognizers of regular languages",
  sweep: "entropy, pointer fidelity, certified fidelity and perplexity across the locality dial",
  explain: "where each token attends, per layer and head, with a heatmap and the certified bound",
  demo: "the main job: train a small localist model on Brown, sweep the dial, write model and plot",
};

const RUNNERS: Record<string, (args: string[]) => string> = {
  local: runLocal,
  train: runTrain,
  eval: runEval,
  generate: runGenerate,
  expressivity: runExpressivity,
  sweep: runSweep,
  explain: runExplain,
  demo: runDemo,
};

function version(): string {
  const pkg = JSON.parse(
    readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
  ) as {
    version: string;
  };
  return pkg.version;
}

export function mainHelp(): string {
  return [
    "usage: localist <command> [options]",
    "",
    "localist: localization kernels, local means and the methods built on them.",
    "",
    "commands:",
    ...Object.entries(COMMANDS).map(([name, text]) => `  ${name.padEnd(10)} ${text}`),
    "",
    "Run 'localist <command> --help' for a command's options; 'localist --version' for the version.",
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === "--help" || command === "-h" || command === "help") {
      process.stdout.write(mainHelp() + "\n");
      return 0;
    }
    if (command === "--version") {
      process.stdout.write(version() + "\n");
      return 0;
    }
    await initEngine();
    const runner = RUNNERS[command];
    if (runner) {
      process.stdout.write(runner(rest).replace(/\n?$/, "\n"));
      return 0;
    }
    throw new UsageError(
      `unknown command '${command}'; expected one of ${Object.keys(COMMANDS).join(", ")} (see 'localist --help')`,
    );
  } catch (error) {
    if (error instanceof LocalistError) {
      process.stderr.write(`error: ${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}
