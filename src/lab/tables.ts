/**
 * The page's tables: per head (entropy, pointer fidelity, certified fidelity, λ*) with the means
 * over every row, and per rule (the compliance report). Each number cell keeps its full value in
 * data-value, which the browser tests compare with the library's.
 */
import type { ComplianceReport } from "../localist/compliance.js";
import type { AnalysisView, HeadView } from "./protocol.js";

export const fixed = (x: number, digits = 3) => (Number.isFinite(x) ? x.toFixed(digits) : "—");

function cell(row: HTMLTableRowElement, text: string, value?: number, name?: string): void {
  const td = row.insertCell();
  td.textContent = text;
  if (value !== undefined) td.dataset.value = String(value);
  if (name) td.className = name;
}

/** One row per head, and the means over every row of every head in `overall`. */
export function fillHeadTable(
  body: HTMLTableSectionElement,
  overallRow: HTMLTableRowElement,
  analysis: AnalysisView,
  selected: { layer: number; head: number },
  onSelect: (head: HeadView) => void,
): void {
  body.replaceChildren();
  for (const head of analysis.heads) {
    const row = body.insertRow();
    row.dataset.layer = String(head.layer);
    row.dataset.head = String(head.head);
    if (head.layer === selected.layer && head.head === selected.head) row.className = "selected";
    cell(row, String(head.layer));
    cell(row, String(head.head));
    cell(row, head.description.split(",")[0]);
    cell(row, fixed(head.dial, 2), head.dial, "lambda");
    cell(row, fixed(head.entropy, 4), head.entropy, "entropy");
    cell(row, fixed(head.fidelity, 4), head.fidelity, "fidelity");
    cell(row, fixed(head.certifiedFidelity, 4), head.certifiedFidelity, "certified");
    cell(row, fixed(head.threshold, 2), head.threshold, "threshold");
    row.title = head.description;
    row.onclick = () => onSelect(head);
  }
  const { overall } = analysis;
  overallRow.replaceChildren();
  cell(overallRow, "all");
  cell(overallRow, "");
  cell(overallRow, `${overall.rows} rows`);
  cell(overallRow, "");
  cell(overallRow, fixed(overall.entropy, 4), overall.entropy, "entropy");
  cell(overallRow, fixed(overall.fidelity, 4), overall.fidelity, "fidelity");
  cell(overallRow, fixed(overall.certifiedFidelity, 4), overall.certifiedFidelity, "certified");
  cell(overallRow, "");
}

/** Per rule: rows, fidelity, certified bound, required fidelity, s* (λ* = s* / m), pass or fail. */
export function fillComplianceTable(
  body: HTMLTableSectionElement,
  report: ComplianceReport | undefined,
  margin: number,
): void {
  body.replaceChildren();
  for (const rule of report?.rules ?? []) {
    const row = body.insertRow();
    row.dataset.rule = rule.id;
    cell(row, rule.id);
    cell(row, String(rule.rows), rule.rows, "rows");
    cell(row, fixed(rule.fidelity.mean, 4), rule.fidelity.mean, "fidelity");
    cell(row, fixed(rule.certified.mean, 4), rule.certified.mean, "certified");
    cell(row, String(rule.minFidelity));
    cell(
      row,
      `${fixed(rule.requiredStrength, 2)} (${fixed(rule.requiredStrength / margin, 2)})`,
      rule.requiredStrength,
      "required-strength",
    );
    const verdict = rule.rows === 0 ? "no rows" : rule.passed ? "pass" : "fail";
    cell(row, verdict, undefined, rule.passed ? "pass" : "fail");
  }
}
