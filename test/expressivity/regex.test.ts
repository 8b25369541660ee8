/** Regex → NFA → DFA → minimal DFA: the language against RegExp, minimization, and errors. */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  accepts,
  compileRegex,
  complement,
  determinize,
  minimize,
  parseRegex,
  thompson,
} from "../../src/data/languages/regex.js";
import { LocalistError } from "../../src/engine/errors.js";
import { allStrings, oracle, PATTERNS } from "./oracle.js";

const words = allStrings(10);

for (const pattern of PATTERNS) {
  test(`'${pattern}': the minimal DFA, the unminimized DFA and RegExp agree up to length 10`, () => {
    const raw = determinize(thompson(parseRegex(pattern)));
    const dfa = compileRegex(pattern);
    const re = oracle(pattern);
    assert.ok(dfa.states <= raw.states);
    for (const w of words) {
      const expected = re.test(w);
      assert.equal(accepts(raw, w), expected, `unminimized, '${w}'`);
      assert.equal(accepts(dfa, w), expected, `minimized, '${w}'`);
      assert.equal(accepts(complement(dfa), w), !expected, `complement, '${w}'`);
    }
  });
}

test("minimal DFAs are complete and have the known sizes", () => {
  const sizes: Record<string, number> = {
    "Σ*a": 2,
    "Σ*ab": 3,
    "aΣ*": 3, // start, accept, dead
    "Σ*aΣ*bΣ*": 3,
    "(ab)*": 3,
    "[ab]*": 1,
  };
  for (const [pattern, states] of Object.entries(sizes)) {
    const dfa = compileRegex(pattern);
    assert.equal(dfa.states, states, pattern);
    assert.equal(dfa.next.length, 2 * states);
    for (const q of dfa.next) assert.ok(q >= 0 && q < states);
  }
});

test("equal languages give identical minimal DFAs (states numbered from the start)", () => {
  const same = (x: string, y: string) => {
    const [a, b] = [compileRegex(x), compileRegex(y)];
    assert.deepEqual([a.states, a.accepting, [...a.next]], [b.states, b.accepting, [...b.next]]);
  };
  same("Σ*a", "(a|b)*a");
  same("Σ*a", ".*[a]");
  same("(ab)*", "(ab)*(ab)*");
  same("a**", "a*"); // stacked postfix operators (which RegExp rejects) are allowed
  same("b+?a*+", "b*a*");
  // Over {a, b}, containing ab as a factor is the same as containing a b after an a.
  same("Σ*abΣ*", "Σ*aΣ*bΣ*");
  // Minimizing twice changes nothing.
  const dfa = compileRegex("(ab|ba)+a?");
  assert.deepEqual(minimize(dfa), dfa);
});

const INVALID: [string, string][] = [
  ["[ab*", "unclosed '[' at position 0"],
  ["a(b", "unclosed '(' at position 1"],
  ["ab)", "unmatched ')' at position 2"],
  ["a]", "unmatched ']' at position 1"],
  ["a[]", "empty class '[]' at position 1"],
  ["[ac]", "only a and b may appear inside [ ], got 'c' at position 2"],
  ["*a", "dangling '*' at position 0 (nothing before it to repeat)"],
  ["a|+", "dangling '+' at position 2 (nothing before it to repeat)"],
  ["(?a)", "dangling '?' at position 1 (nothing before it to repeat)"],
  ["abc", "unexpected character 'c' at position 2; use a, b, Σ, ., [ab], ( ), |, *, + or ?"],
  ["a b", "unexpected character ' ' at position 1; use a, b, Σ, ., [ab], ( ), |, *, + or ?"],
  ["", "empty expression"],
];

for (const [pattern, what] of INVALID) {
  test(`'${pattern}' is rejected: ${what}`, () => {
    assert.throws(
      () => compileRegex(pattern),
      (error: unknown) => {
        assert.ok(error instanceof LocalistError);
        assert.equal(error.message, `invalid regular expression '${pattern}': ${what}`);
        assert.ok(!error.message.includes("\n"));
        return true;
      },
    );
  });
}

test("accepts rejects strings outside {a, b} with one line", () => {
  assert.throws(() => accepts(compileRegex("a"), "ac"), {
    message: "strings must be over {a, b}, got 'c' at position 1",
  });
});
