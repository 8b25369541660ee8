/**
 * A saved model under rules, browser-safe (the Lab uses it as the command line does): what a
 * rule may name (its tokens, blocks, anchors) and how it runs under rules.
 */
import { keyAllowed } from "../model/inspect.js";
import { anchorFlags, anchorTest } from "../localist/anchors.js";
import { blockNames } from "../localist/blocks.js";
import type { RuleRunOptions } from "../localist/compliance.js";
import type { RuleSet } from "../localist/rules.js";
import type { SelectorContext } from "../localist/selectors.js";
import { zeroDial } from "../localist/hook.js";
import { assembleHooks } from "./hooks.js";
import type { LoadedModel } from "./loadedModel.js";

/** What a rule of `model` may name: its tokens, its blocks (localist models), its anchors. */
export function selectorContext(model: LoadedModel): SelectorContext {
  const vocabulary = model.tokenizer.toJSON().tokens;
  const context: SelectorContext = { vocabulary };
  const structure = model.localist;
  if (structure) {
    const { blocks } = structure;
    context.blocks = {
      names: blockNames(blocks, model.config.context),
      of: (token, position, given) => {
        if (blocks.kind === "window") return Math.floor(position / blocks.width);
        return given !== undefined && !blocks.perToken ? given : blocks.tokenBlocks[token];
      },
    };
  }
  if (model.anchors) context.anchor = anchorTest(model.anchors);
  return context;
}

/** How a model runs under its rules: its dial (localist models), its anchors, key visibility. */
export function ruleRunOptions(
  model: LoadedModel,
  rules: RuleSet,
  windows: readonly Int32Array[],
  dial?: number[][],
): RuleRunOptions {
  const atDial = model.localist ? (dial ?? zeroDial(model.config)) : undefined;
  const options: RuleRunOptions = {
    rules,
    sources: assembleHooks(model, { dial: atDial ?? null, rules }),
  };
  if (model.localist && atDial) options.localist = { structure: model.localist, dial: atDial };
  const anchors = model.anchors;
  if (anchors) {
    const flags = windows.map((w) => anchorFlags(anchors, w, 1));
    options.allowed = (w, head, n, m) =>
      keyAllowed(
        { length: windows[w].length, visible: Float64Array.from(flags[w]) },
        model.config,
        head,
        0,
        n,
        m,
      );
  }
  return options;
}
