/**
 * Rules as an attention hook: selectors and the bias against a plain-JS oracle; the certified bound
 * on every attention row with rules, the dial and anchors together (property test); strength 0
 * changes nothing; replacing a loaded model's rules changes its next evaluation; and the steering
 * benchmark's claim on the recall fixture: a rule at a sensible strength raises held-out accuracy.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { fromHost, np, tree } from "../../src/engine/engine.js";
import { recallLines } from "../../src/data/recall.js";
import { validateModelConfig, type ModelConfig } from "../../src/model/config.js";
import { forward } from "../../src/model/transformer.js";
import { attachHooks, finishAndDiscard, hookInputs } from "../../src/model/hooks.js";
import { initParams } from "../../src/model/params.js";
import { anchorFlags } from "../../src/localist/anchors.js";
import { checkCompliance } from "../../src/localist/compliance.js";
import { measureAttention } from "../../src/localist/inspect.js";
import { defaultRouting } from "../../src/localist/routing.js";
import { denseRuleBias } from "../../src/localist/ruleHook.js";
import { compileRules, withStrength, type RuleSpec } from "../../src/localist/rules.js";
import type { SelectorContext } from "../../src/localist/selectors.js";
import { validateLocalistStructure } from "../../src/localist/structure.js";
import { keyAllowed } from "../../src/model/inspect.js";
import { createEvaluator, evaluateStream } from "../../src/train/evaluate.js";
import { assembleHooks } from "../../src/lm/hooks.js";
import { LocalistModel } from "../../src/lm/node.js";
import {
  recallAccuracy,
  recallRule,
  recallWindows,
  RECALL_TASK,
} from "../../experiments/steering.js";
import { ready } from "../helpers/arrays.js";

before(() => ready);

const VOCABULARY = ["<unk>", "<eos>", "a", "b", "c", "d"];

function tinyConfig(attention: ModelConfig["attention"], heads = 2, context = 6): ModelConfig {
  return validateModelConfig({
    vocabSize: VOCABULARY.length,
    context,
    layers: 2,
    heads,
    dModel: 8,
    dMlp: 16,
    attention,
    positional: "learned",
    strict: false,
  });
}

const CONTEXT: SelectorContext = {
  vocabulary: VOCABULARY,
  blocks: { names: ["vowel", "consonant"], of: (token) => (token === 2 ? 0 : 1) },
  anchor: (tokens, p) => tokens[p] === 5,
};

/** The rules' semantics written out plainly: S(i) for each selector form, then the bias. */
function oracleBias(specs: RuleSpec[], tokens: number[], config: ModelConfig): Float32Array {
  const t = tokens.length;
  const { layers, heads } = config;
  const unary = (s: RuleSpec["query"], p: number): boolean => {
    if ("all" in s) return true;
    if ("token" in s) return [s.token].flat().includes(VOCABULARY[tokens[p]]);
    if ("block" in s) return [s.block].flat().includes(tokens[p] === 2 ? "vowel" : "consonant");
    if ("regex" in s) return new RegExp(s.regex, "u").test(VOCABULARY[tokens[p]]);
    if ("anchor" in s) return tokens[p] === 5;
    throw new Error("not unary");
  };
  const key = (s: RuleSpec["key"], i: number, j: number): boolean => {
    if ("previous" in s) return j < i && i - j <= s.previous;
    if ("offset" in s) return j - i === s.offset;
    if ("relation" in s)
      return s.relation === "same-token"
        ? j < i && tokens[j] === tokens[i]
        : j >= 1 && j <= i && tokens[j - 1] === tokens[i];
    return unary(s, j);
  };
  const bias = new Float32Array(layers * heads * t * t);
  for (const spec of specs) {
    const s = spec.strength ?? -Math.log(spec.alpha ?? 1);
    const inScope = (l: number, h: number) =>
      (spec.layers ?? [0, 1]).includes(l) && (spec.heads ?? [0, 1]).some((x) => x === h);
    for (let i = 0; i < t; i++) {
      if (!unary(spec.query, i)) continue;
      const chosen = [...Array(i + 1).keys()].filter((j) => key(spec.key, i, j));
      if (chosen.length === 0) continue;
      for (let l = 0; l < layers; l++)
        for (let h = 0; h < heads; h++) {
          if (!inScope(l, h)) continue;
          for (let j = 0; j <= i; j++) {
            const at = ((l * heads + h) * t + i) * t + j;
            if ((spec.mode ?? "include") === "include") {
              if (chosen.includes(j)) bias[at] += s;
            } else if (!chosen.includes(j)) bias[at] -= s;
          }
        }
    }
  }
  return bias;
}

test("every selector form and both modes give the oracle's bias", () => {
  const config = tinyConfig({ kind: "global" });
  const tokens = [2, 3, 4, 2, 5, 3]; // a b c a d b
  const specs: RuleSpec[] = [
    {
      id: "induction",
      query: { token: "a" },
      key: { relation: "after-earlier" },
      strength: 2,
      layers: [1],
      heads: [0],
      minFidelity: 0.5,
    },
    {
      id: "recent",
      query: { all: true },
      key: { previous: 2 },
      strength: 1,
      mode: "exclude",
      minFidelity: 0,
      layers: [0],
    },
    {
      id: "repeat",
      query: { block: "consonant" },
      key: { relation: "same-token" },
      alpha: 0.1,
      minFidelity: 0,
    },
    {
      id: "last",
      query: { regex: "^[bd]$" },
      key: { offset: -1 },
      strength: 0.5,
      heads: [1],
      minFidelity: 0,
    },
    {
      id: "anchor",
      query: { all: true },
      key: { anchor: true },
      strength: 3,
      mode: "exclude",
      minFidelity: 0,
    },
    {
      id: "vowels",
      query: { token: ["b", "c"] },
      key: { block: "vowel" },
      strength: 1.5,
      minFidelity: 0,
    },
  ];
  const rules = compileRules(specs, config, CONTEXT);
  const { bias, matches } = denseRuleBias(rules, Int32Array.from(tokens), 1, config);
  assert.deepEqual(Array.from(bias), Array.from(oracleBias(specs, tokens, config)));
  // The induction rule matches the second `a` only, pointing it at the `b` after the first.
  assert.deepEqual(matches[0][0], { queries: [3], keys: [[1]] });
});

test("a rule's strength: λ·m as given, or −ln α", () => {
  const config = tinyConfig({ kind: "global" });
  const [a, b] = compileRules(
    [
      { id: "x", query: { all: true }, key: { all: true }, strength: 4, minFidelity: 0 },
      { id: "y", query: { all: true }, key: { all: true }, alpha: 0.01, minFidelity: 0 },
    ],
    config,
    CONTEXT,
  );
  assert.equal(a.strength, 4);
  assert.ok(Math.abs(b.strength - Math.log(100)) < 1e-12);
});

/** Random rules over the test vocabulary. */
const selector = fc.oneof(
  fc.constant({ all: true as const }),
  fc.constantFrom("a", "b", "c", "d").map((token) => ({ token })),
  fc.constantFrom("vowel", "consonant").map((block) => ({ block })),
  fc.constant({ regex: "^[ab]$" }),
);
const keySelector = fc.oneof(
  selector,
  fc.constant({ anchor: true as const }),
  fc.integer({ min: 1, max: 4 }).map((previous) => ({ previous })),
  fc.integer({ min: -3, max: 0 }).map((offset) => ({ offset })),
  fc
    .constantFrom("same-token" as const, "after-earlier" as const)
    .map((relation) => ({ relation })),
);
const ruleSpec = fc.record({
  query: selector,
  key: keySelector,
  strength: fc.double({ min: 0, max: 12, noNaN: true }),
  mode: fc.constantFrom("include" as const, "exclude" as const),
  layers: fc.constantFrom([0], [1], [0, 1]),
});

test("the certified bound holds on every row with rules, the dial and anchors together", () => {
  fc.assert(
    fc.property(
      fc.array(ruleSpec, { minLength: 1, maxLength: 3 }),
      fc.constantFrom<ModelConfig["attention"]>(
        { kind: "global" },
        { kind: "local", window: 2 },
        { kind: "hybrid", window: 2 },
      ),
      fc.array(fc.integer({ min: 2, max: 5 }), { minLength: 16, maxLength: 16 }),
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
      fc.integer({ min: 1, max: 1000 }),
      fc.boolean(),
      (raw, attention, tokens, dialValues, seed, withAnchors) => {
        const config = tinyConfig(attention, 2, 8);
        const specs = raw.map(
          (r, i) => ({ ...r, id: `r${i}`, minFidelity: 0.5 }) as unknown as RuleSpec,
        );
        const rules = compileRules(specs, config, CONTEXT);
        const params = initParams(config, seed);
        const structure = validateLocalistStructure(
          {
            blocks: {
              kind: "tokens",
              source: "test",
              names: ["vowel", "consonant"],
              tokenBlocks: [1, 1, 0, 1, 1, 1],
            },
            routing: defaultRouting(["vowel", "consonant"], 2, false),
            margin: 4,
          },
          config,
        );
        const dial = [dialValues.slice(0, 2), dialValues.slice(2, 4)];
        const ids = Int32Array.from(tokens);
        const anchors = { kind: "sinks" as const, count: 2 };
        const anchored = withAnchors && attention.kind !== "global";
        const windows = [ids.slice(0, 8), ids.slice(8, 16)];
        const flags = windows.map((w) => Float64Array.from(anchorFlags(anchors, w, 1)));
        try {
          const parts = { config, localist: structure, ...(anchored ? { anchors } : {}) };
          const sources = assembleHooks(parts, { dial, rules });
          const report = checkCompliance(params, config, windows, {
            rules,
            localist: { structure, dial },
            sources,
            ...(anchored
              ? {
                  allowed: (w: number, h: number, n: number, m: number) =>
                    keyAllowed({ length: 8, visible: flags[w] }, config, h, 0, n, m),
                }
              : {}),
          });
          for (const rule of report.rules) assert.equal(rule.violations, 0, `rule ${rule.id}`);
          const dialReport = measureAttention(params, config, structure, ids, dial, {
            windows: 2,
            rules,
            sources,
          });
          assert.equal(dialReport.overall.violations, 0, "the dial's bound with rules");
        } finally {
          tree.dispose(params);
        }
      },
    ),
    { numRuns: 25, seed: 7 },
  );
});

const fixture = fileURLToPath(new URL("../../../fixtures/recall-model", import.meta.url));
let model: LocalistModel;
before(() => {
  model = LocalistModel.open(fixture);
});

test("strength 0 changes nothing: the same logits as the model without rules", () => {
  const lines = recallLines({ ...RECALL_TASK, lines: 8, seed: 5 });
  const { ids, batch, length } = recallWindows(model, lines);
  const logits = (withRules: boolean) => {
    const sources = model.hooks(withRules ? { rules: model.compileRules([recallRule(1)]) } : {});
    const hooks = attachHooks(
      sources,
      hookInputs(sources, { tokens: ids, batch, length, step: 0 }),
    );
    const out = forward(
      tree.ref(model.params),
      fromHost(ids, [batch, length], np.int32),
      model.config,
      { hooks },
    );
    finishAndDiscard(hooks);
    return Array.from(out.dataSync() as ArrayLike<number>);
  };
  assert.deepEqual(logits(true), logits(false));
});

test("the steering benchmark: the recall rule raises accuracy on held-out lines", () => {
  const held = recallWindows(model, recallLines({ ...RECALL_TASK, lines: 200, seed: 12345 }));
  const hook = model.replaceableRules();
  const accuracy = (alpha: number) => {
    hook.setRules(model.compileRules([recallRule(alpha)]));
    return recallAccuracy(model, held, model.hooks({ rules: hook }));
  };
  const before = accuracy(1);
  const steered = accuracy(0.03);
  assert.ok(before < 0.4, `the model solves the task imperfectly (accuracy ${before})`);
  assert.ok(steered > before + 0.2, `α = 0.03: ${steered} against ${before} without the rule`);
});

test("replacing the rule set of a loaded model changes its next evaluation, without reloading", async () => {
  const lines = recallLines({ ...RECALL_TASK, lines: 40, seed: 77 });
  const stream = Int32Array.from(lines.flatMap((l) => [...model.tokenizer.encode(l.words), 1]));
  const hook = model.replaceableRules();
  const evaluator = createEvaluator(model.config, model.hooks({ rules: hook }));
  try {
    const perplexity = async () =>
      (await evaluateStream(model.params, model.config, stream, { evaluator })).perplexity;
    const plain = await perplexity();
    hook.setRules(model.compileRules([recallRule(0.1)]));
    const steered = await perplexity();
    hook.setRules(withStrength(hook.rules, 0));
    const zero = await perplexity();
    hook.setRules([]);
    const again = await perplexity();
    assert.notEqual(steered, plain);
    assert.equal(zero, plain);
    assert.equal(again, plain);
  } finally {
    evaluator.dispose();
  }
});

test("on the fixture, a strong rule reaches its minimum fidelity on held-out lines and a zero-strength one does not", () => {
  const lines = recallLines({ ...RECALL_TASK, lines: 16, seed: 31 });
  const { ids, batch, length } = recallWindows(model, lines);
  const windows = Array.from({ length: batch }, (_, b) => ids.slice(b * length, (b + 1) * length));
  const check = (alpha: number) =>
    model.check(model.compileRules([recallRule(alpha, 0.9)]), windows).rules[0];
  const strong = check(1e-4);
  const zero = check(1);
  assert.ok(strong.passed, `worst fidelity ${strong.fidelity.worst}`);
  assert.ok(!zero.passed);
  assert.ok(strong.certified.worst <= strong.fidelity.worst + 1e-6);
  assert.equal(strong.violations + zero.violations, 0);
});

after(() => model.dispose());
