/** Rules read from a file on disk (Node only; ./rules.ts parses and compiles them). */
import { readJsonFile } from "../io/json.js";
import type { ModelConfig } from "../model/config.js";
import { compileRules, parseRuleSpecs, type RuleSet, type RuleSpec } from "./rules.js";
import type { SelectorContext } from "./selectors.js";

/** Rule specs from a rules file, each checked against the schema (errors name the rule). */
export function readRuleSpecs(path: string): RuleSpec[] {
  return parseRuleSpecs(readJsonFile(path, "rules file"), `rules file ${path}`);
}

/** Reads and compiles a rules file for a model. */
export function readRules(path: string, config: ModelConfig, context: SelectorContext): RuleSet {
  return compileRules(readRuleSpecs(path), config, context, `rules file ${path}`);
}
