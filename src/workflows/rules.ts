/**
 * Rules for a saved model: the selectors' context (its vocabulary, blocks and anchors), rules
 * files compiled against it, and the windows of text a compliance check reads.
 */
import { check } from "../engine/errors.js";
import { tokenizeWords } from "../data/textCorpus.js";
import { blockNames } from "../localist/blocks.js";
import { compileRules, readRules, type RuleSet, type RuleSpec } from "../localist/rules.js";
import type { SelectorContext } from "../localist/selectors.js";
import { anchorTest } from "../localist/anchors.js";
import { modelSplits, type LoadedModel } from "./savedModels.js";

/** What a rule of `model` may name: its tokens, its blocks (localist models), its anchors. */
export function selectorContext(model: LoadedModel): SelectorContext {
  const vocabulary = model.tokenizer.toJSON().tokens;
  const context: SelectorContext = { vocabulary };
  const structure = model.localist;
  if (structure) {
    const { blocks } = structure;
    context.blocks = {
      names: blockNames(blocks, model.config.context),
      of: (token, position) =>
        blocks.kind === "tokens" ? blocks.tokenBlocks[token] : Math.floor(position / blocks.width),
    };
  }
  if (model.anchors) context.anchor = anchorTest(model.anchors);
  return context;
}

/** Reads a rules file and compiles it for `model`; one-line errors name the file and the rule. */
export function loadRules(model: LoadedModel, path: string): RuleSet {
  return readRules(path, model.config, selectorContext(model));
}

/** Compiles rule specs (e.g. built in code) for `model`. */
export function modelRules(model: LoadedModel, specs: readonly RuleSpec[]): RuleSet {
  return compileRules(specs, model.config, selectorContext(model));
}

/**
 * The windows a check reads: the text given, cut into windows of the context (the last one
 * shorter), or the first `windows` non-overlapping windows of a split.
 */
export function checkWindows(
  model: LoadedModel,
  source: { text: string } | { split: "valid" | "test"; windows: number },
): Int32Array[] {
  const t = model.config.context;
  let ids: Int32Array;
  if ("text" in source) {
    const { tokenizer } = model;
    ids =
      tokenizer.kind === "word"
        ? tokenizer.encode(tokenizeWords(source.text))
        : tokenizer.encodeText(source.text);
    check(ids.length > 0, "the text has no tokens; give some words with --text");
    const out: Int32Array[] = [];
    for (let start = 0; start < ids.length; start += t) out.push(ids.slice(start, start + t));
    return out;
  }
  ids = modelSplits(model)[source.split];
  const count = Math.min(source.windows, Math.floor(ids.length / t));
  check(
    count >= 1,
    `the ${source.split} split has ${ids.length} tokens, fewer than one window of ${t}`,
  );
  return Array.from({ length: count }, (_, w) => ids.slice(w * t, (w + 1) * t));
}
