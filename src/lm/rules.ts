/**
 * The windows of text a compliance check reads (rules themselves are compiled for a model by
 * `LocalistModel.compileRules` / `readRules`, against ./ruleContext.ts's selector context).
 */
import { check } from "../engine/errors.js";
import type { LocalistModel } from "./localistModel.js";

/**
 * The windows a check reads: the text given, cut into windows of the context (the last one
 * shorter), or the first `windows` non-overlapping windows of a split; with the block of every
 * token per occurrence when the model has them (text labelled word by word in its sentences, a
 * prepared split's own blocks).
 */
export function checkWindows(
  model: LocalistModel,
  source: { text: string } | { split: "valid" | "test"; windows: number },
): { windows: Int32Array[]; blocks?: Uint8Array[] } {
  const t = model.config.context;
  let ids: Int32Array;
  let blocks: Uint8Array | undefined;
  let count: number;
  if ("text" in source) {
    ({ ids, blocks } = model.encodeWithBlocks(source.text));
    check(ids.length > 0, "the text has no tokens; give some words");
    count = Math.ceil(ids.length / t);
  } else {
    ids = model.split(source.split);
    blocks = model.splitBlocks(source.split);
    count = Math.min(source.windows, Math.floor(ids.length / t));
    check(
      count >= 1,
      `the ${source.split} split has ${ids.length} tokens, fewer than one window of ${t}`,
    );
  }
  const cut = <A extends Int32Array | Uint8Array>(all: A) =>
    Array.from({ length: count }, (_, w) => all.slice(w * t, (w + 1) * t) as A);
  return { windows: cut(ids), ...(blocks ? { blocks: cut(blocks) } : {}) };
}
