/**
 * The compliance report as text: a table for the terminal, or a Markdown document that stands on
 * its own (what was checked, on what text, what each number means and the bound behind the
 * guarantee), for a regulated user to file.
 */
import { markdownCell, terminalCell } from "../engine/printable.js";
import type { ComplianceReport, RuleResult } from "./compliance.js";
import type { RuleSet } from "./rules.js";

/** What the report says about where the numbers come from. */
export interface ReportContext {
  model: string;
  rulesFile: string;
  /** SHA-256 of the rules file, so the report names exactly what was checked. */
  rulesDigest: string;
  /** e.g. "the first 16 windows of 32 tokens of the valid split" or "the text given". */
  text: string;
  /** e.g. "λ = 0 (every layer and head)", or "the model has no dial". */
  dial: string;
  /** When the check ran (ISO 8601). */
  date: string;
  /** Token text of a window position, for the worst rows, as Markdown (escaped by the caller). */
  token(window: number, position: number): string;
}

const fixed = (x: number, digits = 3) =>
  Number.isNaN(x) ? "—" : x === Infinity ? "∞" : x.toFixed(digits);

/** α = e^(−s), shown as a number a person can read. */
function alphaText(alpha: number): string {
  if (alpha === 0) return "0";
  return alpha >= 0.01 ? alpha.toFixed(3) : alpha.toExponential(1);
}

function verdict(rule: RuleResult): string {
  if (rule.rows + rule.unreachable === 0) return "FAIL (matched nothing)";
  return rule.passed ? "pass" : "FAIL";
}

/** The terminal table. */
export function formatCompliance(report: ComplianceReport): string {
  const lines = [
    `${report.rules.length} rule${report.rules.length === 1 ? "" : "s"} checked on ${report.windows} window${report.windows === 1 ? "" : "s"} (${report.tokens} tokens): ${report.rules.filter((r) => r.passed).length} passed`,
    "| rule | queries | rows | fidelity mean | fidelity worst | certified mean | certified worst | required | strength s* for required | result |",
    "|---|---|---|---|---|---|---|---|---|---|",
    ...report.rules.map(
      (r) =>
        `| ${terminalCell(r.id)} | ${r.queries} | ${r.rows}${r.unreachable ? ` (+${r.unreachable} unreachable)` : ""} | ${fixed(r.fidelity.mean)} | ${fixed(r.fidelity.worst)} | ${fixed(r.certified.mean)} | ${fixed(r.certified.worst)} | ${r.minFidelity} | ${fixed(r.requiredStrength, 2)} (now ${fixed(r.strength, 2)}) | ${verdict(r)} |`,
    ),
  ];
  if (report.overall.violations > 0)
    lines.push(
      `warning: ${report.overall.violations} rows leaked more than their certified bound (a bug; please report it)`,
    );
  return lines.join("\n");
}

function describeSelector(spec: object): string {
  return markdownCell(JSON.stringify(spec));
}

function scopeText(rule: RuleSet[number], heads: number): string {
  const pairs: string[] = [];
  rule.scope.forEach((on, at) => {
    if (on) pairs.push(`(${Math.floor(at / heads)}, ${at % heads})`);
  });
  return pairs.length === rule.scope.length ? "every layer and head" : pairs.join(", ");
}

/** The Markdown document. */
export function complianceMarkdown(
  report: ComplianceReport,
  rules: RuleSet,
  heads: number,
  context: ReportContext,
): string {
  const passed = report.rules.filter((r) => r.passed).length;
  const out = [
    `# Rule compliance report`,
    "",
    `**Result: ${report.passed ? "every rule passed" : `${report.rules.length - passed} of ${report.rules.length} rules failed`}.**`,
    "",
    `| | |`,
    `|---|---|`,
    `| model | ${markdownCell(context.model)} |`,
    `| rules file | ${markdownCell(context.rulesFile)} (SHA-256 \`${context.rulesDigest}\`) |`,
    `| text | ${markdownCell(context.text)}: ${report.windows} window${report.windows === 1 ? "" : "s"}, ${report.tokens} tokens |`,
    `| locality dial | ${context.dial} |`,
    `| checked | ${context.date} |`,
    "",
    "## What the numbers mean",
    "",
    "A rule makes the queries its query selector matches attend to the keys S(i) its key selector",
    "picks, by adding a log-bias of strength s to the attention logits (PASTA's α = e^(−s)). For",
    "every attention row it matches (a window, a query, a layer and head in the rule's scope):",
    "",
    "- **fidelity**: the attention mass the row puts on S(i), measured; the rule passes when its",
    "  **worst** row reaches the required minimum.",
    "- **certified**: a lower bound on the fidelity that holds for these content scores and biases,",
    "  whatever the weights: 1 − 1/(1 + (n_in/n_out)·e^(G − Δ)), with n_in the targets the head can",
    "  see, n_out the other visible keys, G the gap of the total bias (every rule and the dial)",
    "  between the targets and the rest, and Δ the largest content score off the targets minus the",
    "  smallest on them (see docs/math.md, “The bound with rules”).",
    "- **strength s\\***: the strength at which the bound certifies the required fidelity on every",
    "  matched row, at these content scores (raising a rule's strength also changes the content",
    "  scores of later layers, so check again after changing it). ∞: no strength can (the required",
    "  fidelity is 1, or a target lies outside what a head can see).",
    "- **unreachable**: matched rows whose targets the head cannot see (outside a local head's",
    "  window); they count as fidelity 0.",
    "",
    "## Summary",
    "",
    "| rule | result | rows | fidelity (mean / worst) | certified (mean / worst) | required | strength s (α) | s\\* (α\\*) |",
    "|---|---|---|---|---|---|---|---|",
    ...report.rules.map(
      (r) =>
        `| ${markdownCell(r.id)} | ${verdict(r)} | ${r.rows}${r.unreachable ? ` + ${r.unreachable} unreachable` : ""} | ${fixed(r.fidelity.mean)} / ${fixed(r.fidelity.worst)} | ${fixed(r.certified.mean)} / ${fixed(r.certified.worst)} | ${r.minFidelity} | ${fixed(r.strength, 2)} (${alphaText(r.alpha)}) | ${fixed(r.requiredStrength, 2)} (${Number.isFinite(r.requiredStrength) ? alphaText(Math.exp(-r.requiredStrength)) : "—"}) |`,
    ),
    "",
    "## Rules",
  ];
  report.rules.forEach((result, i) => {
    const rule = rules[i];
    out.push(
      "",
      `### ${markdownCell(result.id)}: ${verdict(result)}`,
      "",
      `- queries: ${describeSelector(rule.spec.query)}; keys: ${describeSelector(rule.spec.key)}; mode ${rule.mode}`,
      `- heads (layer, head): ${scopeText(rule, heads)}`,
      `- strength s = ${fixed(result.strength, 2)} (α = ${alphaText(result.alpha)}); required fidelity ${result.minFidelity}`,
      `- matched ${result.queries} queries, ${result.rows} rows${result.unreachable ? ` and ${result.unreachable} unreachable rows` : ""}`,
      `- fidelity: mean ${fixed(result.fidelity.mean)}, worst ${fixed(result.fidelity.worst)}; certified: mean ${fixed(result.certified.mean)}, worst ${fixed(result.certified.worst)}`,
      `- strength that would certify ${result.minFidelity} on every row: s* = ${fixed(result.requiredStrength, 2)}`,
    );
    if (result.violations > 0)
      out.push(`- **${result.violations} rows leaked more than their bound: a bug, report it**`);
    if (result.worstRows.length > 0) {
      out.push(
        "",
        "Lowest-fidelity rows:",
        "",
        "| window | layer | head | query | targets | fidelity | certified |",
        "|---|---|---|---|---|---|---|",
      );
      for (const row of result.worstRows)
        out.push(
          `| ${row.window} | ${row.layer} | ${row.head} | ${context.token(row.window, row.query)} @ ${row.query} | ${row.targets.map((m) => `${context.token(row.window, m)} @ ${m}`).join(", ")} | ${fixed(row.fidelity)} | ${fixed(row.certified)} |`,
        );
    }
  });
  return out.join("\n");
}
