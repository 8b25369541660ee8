/**
 * The one place where a language model's attention hooks are assembled (model/hooks.ts says what a
 * hook is). Everything outside the model that shapes attention arrives here, in this order:
 *
 *   dial      the localist model's bias λ_{ℓ,h}·b_ij (localist/hook.ts), at a fixed (L, H) dial, a
 *             dial per training step, or none; in training with the group-sparsity penalty γ·Ω
 *   anchors   keys visible beyond a local head's window (localist/anchors.ts); no bias
 *   rules     the compiled rules' additive bias (localist/ruleHook.ts)
 *   extra     hooks of the caller's own (model/hooks.ts says how to write one)
 *
 * Training, evaluation, sampling, the sweep, explanations, compliance checks, the Lab and the
 * PyTorch parity tests all get their hooks from `assembleHooks`, usually through
 * `LocalistModel.hooks`, so a new kind of hook is wired in here once.
 */
import { LocalistError } from "../engine/errors.js";
import type { ModelConfig } from "../model/config.js";
import type { HookSource } from "../model/hooks.js";
import { anchorHook, type AnchorsEntry } from "../localist/anchors.js";
import { dialHook, trainingDial, type DialSetting } from "../localist/hook.js";
import { ruleHook, type RuleHook } from "../localist/ruleHook.js";
import type { RuleSet } from "../localist/rules.js";
import type { LocalistEntry } from "../localist/structure.js";

/** What the hooks are made from: a model's architecture and the entries attached to it. */
export interface HookedParts {
  config: ModelConfig;
  /** The blocks, routing, margin and dial training of a localist model. */
  localist?: Readonly<LocalistEntry>;
  /** The anchors of a model trained with them. */
  anchors?: Readonly<AnchorsEntry>;
}

/** Which hooks a pass runs with. */
export interface HookSettings {
  /**
   * The dial of a localist model: an (L, H) matrix, or a function of the training step (a sweep
   * passes one that reads its current dial). Absent: λ = 0. `null`: no dial hook at all (the
   * model as it is, e.g. validation during training). A dial on a model without blocks is an error.
   */
  dial?: DialSetting | null;
  /**
   * Training: the dial drawn per step from the model's localist training entry (keyed by this
   * seed and the step) with its group-sparsity penalty. Replaces `dial`.
   */
  training?: { seed: number };
  /** Rules in place: a compiled rule set, or a rule hook whose rules change between passes. */
  rules?: RuleSet | RuleHook;
  /** Hook sources of the caller's own (a distance-decay bias, an observer), after the rest. */
  extra?: readonly HookSource[];
}

function isRuleHook(rules: RuleSet | RuleHook): rules is RuleHook {
  return !Array.isArray(rules);
}

/** The hook sources of one pass of `parts` under `settings`, in the order of the file comment. */
export function assembleHooks(parts: HookedParts, settings: HookSettings = {}): HookSource[] {
  const { config, localist, anchors } = parts;
  const sources: HookSource[] = [];
  if (settings.training) {
    if (localist)
      sources.push(
        dialHook(localist, config, {
          dial: trainingDial(localist.training, config, settings.training.seed),
          penalty: localist.training?.penalty ?? 0,
        }),
      );
  } else if (settings.dial !== null && (settings.dial !== undefined || localist)) {
    if (!localist)
      throw new LocalistError(
        "this model was trained without blocks, so it has no dial; train a model with `localist`",
      );
    sources.push(dialHook(localist, config, { dial: settings.dial }));
  }
  if (anchors) sources.push(anchorHook(anchors));
  const { rules } = settings;
  if (rules !== undefined) {
    if (isRuleHook(rules)) sources.push(rules);
    else if (rules.length > 0) sources.push(ruleHook(config, rules));
  }
  sources.push(...(settings.extra ?? []));
  return sources;
}

/** A rule hook whose rules can be replaced between passes without recompiling (steering sweeps). */
export function replaceableRules(config: ModelConfig, initial: RuleSet = []): RuleHook {
  return ruleHook(config, initial);
}
