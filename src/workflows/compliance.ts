/**
 * Checking a saved model against a rules file (localist/compliance.ts) on a split or on given
 * text, with the dial of a localist model and its anchors in place, and the report in words.
 */
import { markdownCell } from "../engine/printable.js";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { checkCompliance, type ComplianceReport } from "../localist/compliance.js";
import { complianceMarkdown, formatCompliance } from "../localist/complianceReport.js";
import type { RuleSet } from "../localist/rules.js";
import type { LoadedModel } from "./savedModels.js";
import { checkWindows } from "./rules.js";
import { ruleRunOptions } from "./ruleContext.js";

export { ruleRunOptions } from "./ruleContext.js";

export type CheckSource = { text: string } | { split: "valid" | "test"; windows: number };

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
        token: (w, p) => markdownCell(vocabulary[windows[w][p]] ?? "?"),
      }),
  };
}
