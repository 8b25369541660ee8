/**
 * Checking a saved model against a rules file (localist/compliance.ts) on a split or on given
 * text, with the dial of a localist model and its anchors in place, and the report in words.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { keyAllowed } from "../model/inspect.js";
import { anchorFlags, anchorHook } from "../localist/anchors.js";
import {
  checkCompliance,
  type ComplianceReport,
  type RuleRunOptions,
} from "../localist/compliance.js";
import { complianceMarkdown, formatCompliance } from "../localist/complianceReport.js";
import type { RuleSet } from "../localist/rules.js";
import type { LoadedModel } from "./savedModels.js";
import { checkWindows } from "./rules.js";

export type CheckSource = { text: string } | { split: "valid" | "test"; windows: number };

/** How a model runs under its rules: its dial (localist models), its anchors, key visibility. */
export function ruleRunOptions(
  model: LoadedModel,
  rules: RuleSet,
  windows: readonly Int32Array[],
  dial?: number[][],
): RuleRunOptions {
  const options: RuleRunOptions = { rules };
  if (model.localist)
    options.localist = { structure: model.localist, dial: dial ?? zeroDial(model) };
  const anchors = model.anchors;
  if (anchors) {
    options.extraSources = [anchorHook(anchors)];
    const flags = windows.map((w) => anchorFlags(anchors, w, 1));
    options.allowed = (w, head, n, m) =>
      keyAllowed(
        { length: windows[w].length, visible: Float64Array.from(flags[w]) },
        model.config,
        head,
        0,
        n,
        m,
      );
  }
  return options;
}

function zeroDial(model: LoadedModel): number[][] {
  return Array.from({ length: model.config.layers }, () =>
    new Array<number>(model.config.heads).fill(0),
  );
}

/** The result of `localist check`: the report, the windows read, and how to show it. */
export interface CheckResult {
  report: ComplianceReport;
  windows: Int32Array[];
  text(): string;
  markdown(context: { model: string; rulesFile: string; dial: string }): string;
}

/** Checks `rules` (read from `rulesFile`) on a saved model. Borrows the model's params. */
export function checkModelRules(
  model: LoadedModel,
  rules: RuleSet,
  rulesFile: string,
  source: CheckSource,
  dial?: number[][],
): CheckResult {
  const windows = checkWindows(model, source);
  const report = checkCompliance(
    model.params,
    model.config,
    windows,
    ruleRunOptions(model, rules, windows, dial),
  );
  const vocabulary = model.tokenizer.toJSON().tokens;
  const t = model.config.context;
  return {
    report,
    windows,
    text: () => formatCompliance(report),
    markdown: ({ model: name, dial: dialText }) =>
      complianceMarkdown(report, rules, model.config.heads, {
        model: name,
        rulesFile,
        rulesDigest: createHash("sha256").update(readFileSync(rulesFile)).digest("hex"),
        text:
          "text" in source
            ? "the text given on the command line"
            : `the first ${windows.length} windows of ${t} tokens of the ${source.split} split of ${model.corpus.corpus}`,
        dial: dialText,
        date: new Date().toISOString(),
        token: (w, p) => `\`${(vocabulary[windows[w][p]] ?? "?").replace(/[`|]/g, "\\$&")}\``,
      }),
  };
}
