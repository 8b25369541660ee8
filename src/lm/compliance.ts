/**
 * Checking a saved model against a rules file (localist/compliance.ts) on a split or on given
 * text, with the dial of a localist model and its anchors in place, and the report in words.
 */
import { markdownCell } from "../engine/printable.js";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { ComplianceReport } from "../localist/compliance.js";
import { complianceMarkdown, formatCompliance } from "../localist/complianceReport.js";
import type { RuleSet } from "../localist/rules.js";
import type { LocalistModel } from "./localistModel.js";
import { checkWindows } from "./rules.js";

/**
 * The text a compliance check reads: given text, or windows of the model's validation or test
 * split.
 */
export type CheckSource = { text: string } | { split: "valid" | "test"; windows: number };

/** The result of `localist check`: the report, the windows read, and how to show it. */
export interface CheckResult {
  /** Measured and certified fidelity of each rule. */
  report: ComplianceReport;
  /** The token windows the check read. */
  windows: Int32Array[];
  /** The report as a plain-text table. */
  text(): string;
  /**
   * The report as Markdown, headed by the model, the rules file and the dial it was checked with.
   */
  markdown(context: { model: string; rulesFile: string; dial: string }): string;
}

/** Checks `rules` (read from `rulesFile`) on a saved model. Borrows the model's params. */
export function checkModelRules(
  model: LocalistModel,
  rules: RuleSet,
  rulesFile: string,
  source: CheckSource,
  dial?: number[][],
): CheckResult {
  const { windows, blocks } = checkWindows(model, source);
  const report = model.check(rules, windows, { dial, ...(blocks ? { blocks } : {}) });
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
