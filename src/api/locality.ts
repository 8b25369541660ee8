/**
 * Locality as attention hooks: the localist structure (blocks and routing), the dial and its
 * schedules, attention measurement and explanations, the row metrics and the leak bound, rules
 * and their compliance check, anchors and recruitment.
 *
 * @module localist/locality
 */
import "../engine/threads.js"; // first, before jax-js loads: the compute threads for Node
import "../kernels/kdTreeThreads.js";

export { type LocalistStructure, type LocalistEntry } from "../localist/structure.js";
export { buildLocalistStructure } from "../localist/buildStructure.js";
export type { BlockSpec } from "../localist/blocks.js";
export { posBlocks, fileBlocks } from "../localist/blockSources.js";
export { defaultRouting, type Routing } from "../localist/routing.js";
export { routingFromFile } from "../localist/routingFile.js";
export {
  dialMatrix,
  parseDial,
  SCHEDULES,
  type Schedule,
  type DialValue,
} from "../localist/dial.js";
export { zeroDial } from "../localist/hook.js";
export { measureAttention, type AttentionReport } from "../localist/inspect.js";
export { explainText, formatExplanation, type Explanation } from "../localist/explain.js";
export {
  rowMetrics,
  leakBound,
  dialThreshold,
  requiredGap,
  binaryEntropy,
  type RowMetrics,
} from "../localist/metrics.js";
export { readRuleSpecs } from "../localist/rulesFile.js";
export {
  compileRules,
  parseRuleSpecs,
  withStrength,
  type RuleSpec,
  type RuleSet,
  type CompiledRule,
} from "../localist/rules.js";
export type { RuleHook } from "../localist/ruleHook.js";
export { checkCompliance, type ComplianceReport, type RuleResult } from "../localist/compliance.js";
export type { AnchorsEntry } from "../localist/anchors.js";
export { anchorScores, type AnchorScore } from "../localist/anchorScores.js";
export type { Recruitment } from "../localist/recruitment.js";

// The options and results the functions above take and return.
export type { StructureSpec } from "../localist/buildStructure.js";
export type { RuleRow, RuleRunOptions } from "../localist/compliance.js";
export type { ExplainOptions, ExplainedHead } from "../localist/explain.js";
export type { DialHookOptions, DialSetting } from "../localist/hook.js";
export type { MeasureExtras } from "../localist/inspect.js";
export type { MetricSummary, RowInput } from "../localist/metrics.js";
export type { Selector, SelectorContext } from "../localist/selectors.js";
export type { LocalistTraining, RecruitmentLog } from "../localist/structure.js";
export type { ExplainedRow } from "../localist/explain.js";
