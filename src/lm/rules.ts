/**
 * Rules for a saved model: the selectors' context (its vocabulary, blocks and anchors), rules
 * files compiled against it, and the windows of text a compliance check reads.
 */
import { check } from "../engine/errors.js";
import type { RuleSet } from "../localist/rules.js";
import { readRules } from "../localist/rulesFile.js";
import type { LoadedModel } from "./loadedModel.js";
import type { LocalistModel } from "./localistModel.js";
import { selectorContext, textWindows } from "./ruleContext.js";

export { modelRules, selectorContext } from "./ruleContext.js";

/** Reads a rules file and compiles it for `model`; one-line errors name the file and the rule. */
export function loadRules(model: LoadedModel, path: string): RuleSet {
  return readRules(path, model.config, selectorContext(model));
}

/**
 * The windows a check reads: the text given, cut into windows of the context (the last one
 * shorter), or the first `windows` non-overlapping windows of a split.
 */
export function checkWindows(
  model: LocalistModel,
  source: { text: string } | { split: "valid" | "test"; windows: number },
): Int32Array[] {
  const t = model.config.context;
  let ids: Int32Array;
  if ("text" in source) {
    ids = model.encode(source.text);
    check(ids.length > 0, "the text has no tokens; give some words");
    return textWindows(ids, t);
  }
  ids = model.split(source.split);
  const count = Math.min(source.windows, Math.floor(ids.length / t));
  check(
    count >= 1,
    `the ${source.split} split has ${ids.length} tokens, fewer than one window of ${t}`,
  );
  return Array.from({ length: count }, (_, w) => ids.slice(w * t, (w + 1) * t));
}
