/**
 * The windows of text a compliance check reads (rules themselves are compiled for a model by
 * `LocalistModel.compileRules` / `readRules`, against ./ruleContext.ts's selector context).
 */
import { check } from "../engine/errors.js";
import type { LocalistModel } from "./localistModel.js";
import { textWindows } from "./ruleContext.js";

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
