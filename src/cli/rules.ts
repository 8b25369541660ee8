/**
 * `localist check` (the compliance report of a rules file) and `localist profile-heads` (which heads
 * a rule should use), and the `--rules` flag the other commands share.
 */
import { printable, shownList } from "../engine/printable.js";
import { THREADS_FLAG } from "./command.js";
import { LocalistError } from "../engine/errors.js";
import { writeFileAtomic } from "../io/atomicWrite.js";
import type { RuleSet } from "../localist/rules.js";
import { readRuleSpecs } from "../localist/rulesFile.js";
import { checkModelRules } from "../lm/compliance.js";
import { profileHeads, profileTable, rulesWithHeads } from "../../experiments/profileHeads.js";
import { LocalistModel } from "../lm/node.js";
import type { Command } from "./command.js";
import { POSITIVE, requireFlag, UsageError, type FlagSpec, type FlagValues } from "./flags.js";
import { DIAL_FLAG, dialFromFlags, SCHEDULE_FLAG } from "./localistFlags.js";

export const RULES_FLAG: FlagSpec = {
  name: "rules",
  kind: "string",
  value: "FILE",
  help: "a JSON rules file: attention rules applied as log-biases, no retraining",
};

/** The rules of `--rules` compiled for a model, or an empty set without the flag. */
export function rulesFromFlags(flags: FlagValues, model: LocalistModel): RuleSet {
  const path = flags.rules as string | undefined;
  return path === undefined ? [] : model.readRules(path);
}

const MODEL_FLAG: FlagSpec = {
  name: "model",
  kind: "string",
  value: "DIR",
  help: "a trained model folder (required)",
};

const SPLIT_FLAG: FlagSpec = {
  name: "split",
  kind: "string",
  choices: ["valid", "test"],
  default: "valid",
  value: "SPLIT",
  help: "which split to read",
};

/** "λ = 0" and the like, for the report. */
function dialText(model: LocalistModel, flags: FlagValues): string {
  if (!model.localist) return "none (the model has no dial)";
  if (flags.dial === undefined) return "λ = 0 (every layer and head)";
  return `λ = ${String(flags.dial)}, schedule ${String(flags.schedule)}`;
}

export const CHECK: Command = {
  summary:
    "compliance report: does the model follow each rule of a rules file, measured and certified",
  usage:
    "localist check --model DIR --rules FILE [--split valid|test] [--text TEXT] [--json] [--markdown]",
  description:
    "Per rule: the queries it matched, the measured pointer fidelity (mean and worst row), the certified lower bound, the strength s* that would certify the rule's minFidelity on every matched row, and pass/fail. Exit 0 only when every rule passes; 1 otherwise, naming the failing rules on stderr.",
  flags: [
    MODEL_FLAG,
    { ...RULES_FLAG, help: "the JSON rules file to check (required)" },
    SPLIT_FLAG,
    {
      name: "windows",
      kind: "integer",
      constraint: POSITIVE,
      default: 16,
      help: "windows of the split to read",
    },
    { name: "text", kind: "string", value: "TEXT", help: "check on this text instead of a split" },
    DIAL_FLAG,
    SCHEDULE_FLAG,
    { name: "json", kind: "boolean", help: "print the report as JSON" },
    { name: "markdown", kind: "boolean", help: "print the report as a Markdown document" },
  ],
  run({ flags, given }, out) {
    const dir = requireFlag(flags, "model", "localist check");
    const rulesFile = requireFlag(flags, "rules", "localist check");
    if (flags.json && flags.markdown) throw new UsageError("give --json or --markdown, not both");
    if (flags.text !== undefined && (given.has("split") || given.has("windows")))
      throw new UsageError("--text checks the given text; drop --split and --windows");
    if (flags.text === "")
      throw new UsageError("the text has no tokens; give some words with --text");
    const model = LocalistModel.open(dir);
    let result;
    let dial;
    try {
      dial = dialFromFlags(flags, model);
      const rules = model.readRules(rulesFile);
      const source =
        flags.text !== undefined
          ? { text: flags.text as string }
          : { split: flags.split as "valid" | "test", windows: flags.windows as number };
      result = checkModelRules(model, rules, rulesFile, source, dial);
      if (flags.json)
        out(JSON.stringify({ model: dir, rulesFile, ...result.report }, null, 2) + "\n");
      else if (flags.markdown)
        out(result.markdown({ model: dir, rulesFile, dial: dialText(model, flags) }) + "\n");
      else out(result.text() + "\n");
    } finally {
      model.dispose();
    }
    const failed = result.report.rules.filter((r) => !r.passed).map((r) => r.id);
    if (failed.length > 0)
      throw new LocalistError(
        `${failed.length} of ${result.report.rules.length} rules failed: ${shownList(failed)}`,
      );
  },
};

export const PROFILE_HEADS: Command = {
  summary: "rank the heads by the fidelity a rule gains per unit of perplexity it costs there",
  usage: "localist profile-heads --model DIR --rules FILE [--rule ID] [--top K] [--out FILE]",
  description:
    "Applies a rule to one (layer, head) at a time and ranks the heads by the pointer fidelity it gains there per unit of perplexity it costs (PASTA's head selection); --out writes the rules file with the rule's heads set to the top K as [layer, head] pairs.",
  flags: [
    MODEL_FLAG,
    { ...RULES_FLAG, help: "the JSON rules file (required)" },
    { name: "rule", kind: "string", value: "ID", help: "the rule to profile (default: the first)" },
    {
      name: "top",
      kind: "integer",
      constraint: POSITIVE,
      default: 3,
      help: "heads to keep",
    },
    SPLIT_FLAG,
    {
      name: "windows",
      kind: "integer",
      constraint: POSITIVE,
      default: 8,
      help: "windows whose attention rows are measured",
    },
    {
      name: "eval-windows",
      kind: "integer",
      constraint: POSITIVE,
      default: 32,
      help: "sliding windows for perplexity",
    },
    DIAL_FLAG,
    SCHEDULE_FLAG,
    {
      name: "out",
      kind: "string",
      value: "FILE",
      output: "file",
      help: "write the rules file with the top heads",
    },
    { name: "json", kind: "boolean", help: "print the profile as JSON" },
    THREADS_FLAG,
  ],
  async run({ flags }) {
    const dir = requireFlag(flags, "model", "localist profile-heads");
    const rulesFile = requireFlag(flags, "rules", "localist profile-heads");
    const model = LocalistModel.open(dir);
    let profile;
    let specs;
    try {
      const dial = dialFromFlags(flags, model);
      specs = readRuleSpecs(rulesFile);
      const wanted = (flags.rule as string | undefined) ?? specs[0].id;
      const spec = specs.find((s) => s.id === wanted);
      if (!spec)
        throw new UsageError(
          `--rule: ${printable(rulesFile)} has no rule '${printable(wanted)}'; its rules are ${shownList(specs.map((s) => s.id))}`,
        );
      model.compileRules(specs); // every rule must compile for this model
      profile = await profileHeads(model, model.compileRules([spec]), {
        split: flags.split as "valid" | "test",
        windows: flags.windows as number,
        evalWindows: flags["eval-windows"] as number,
        dial,
      });
    } finally {
      model.dispose();
    }
    const rewritten = rulesWithHeads(specs, profile, flags.top as number);
    if (flags.out !== undefined)
      writeFileAtomic(flags.out as string, JSON.stringify(rewritten, null, 2) + "\n", "rules file");
    if (flags.json) return JSON.stringify({ model: dir, ...profile, rewritten }, null, 2);
    const top = rewritten.rules.find((r) => r.id === profile.rule)?.heads ?? [];
    return `${profileTable(profile)}\n\ntop ${top.length} heads: ${JSON.stringify(top)}${flags.out !== undefined ? ` (written to ${String(flags.out)})` : ""}`;
  },
};
