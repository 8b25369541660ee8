/**
 * Rule regexes cannot hang: the classic catastrophic-backtracking patterns, matched over a
 * vocabulary with long words, finish in well under a second; what RE2 lacks (backreferences,
 * lookaround) and over-long patterns are refused in one line.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { LocalistError } from "../../src/engine/errors.js";
import { compileSelector } from "../../src/localist/selectors.js";
import { compileRuleRegex, MAX_RULE_REGEX } from "../../src/localist/ruleRegex.js";

const PATHOLOGICAL = [
  "^(a+)+$",
  "^(a|a)+$",
  "^(a|aa)+$",
  "^(a*)*$",
  "^((a*)*)*b$",
  "^(.*a){12}$",
  "^(\\w+\\s?)+$",
  "^([a-zA-Z]+)*$",
  "(x+x+)+y",
];

/** A vocabulary whose long words make a backtracking engine take exponential time. */
const VOCABULARY = [
  "the",
  "cat",
  `${"a".repeat(5000)}!`,
  `${"x".repeat(5000)}`,
  `${"ab".repeat(3000)}`,
];

test("pathological patterns over long words finish in under a second", () => {
  const start = performance.now();
  for (const source of PATHOLOGICAL) {
    const regex = compileRuleRegex(source, "rule 'slow'");
    for (const word of VOCABULARY) regex.test(word);
  }
  const ms = performance.now() - start;
  assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
});

test("a regex selector still selects the tokens it matches", () => {
  const selector = compileSelector(
    { regex: "^[ct]" },
    { vocabulary: VOCABULARY },
    "query",
    "rule 'r'",
  );
  assert.equal(selector.kind, "unary");
  if (selector.kind !== "unary") return;
  assert.deepEqual(
    VOCABULARY.map((_, id) => selector.test([id], 0)),
    [true, true, false, false, false],
  );
});

function refused(pattern: RegExp) {
  return (error: unknown) =>
    error instanceof LocalistError && pattern.test(error.message) && !error.message.includes("\n");
}

test("backreferences and lookaround are refused with a line that says why", () => {
  assert.throws(
    () => compileRuleRegex("(a)\\1", "rule 'x'"),
    refused(
      /^rule 'x': \/\(a\)\\1\/ uses a backreference, which rule regexes do not support \(they are matched in linear time, RE2 syntax\)/,
    ),
  );
  for (const source of ["a(?=b)", "a(?!b)", "(?<=a)b", "(?<!a)b"])
    assert.throws(() => compileRuleRegex(source, "rule 'x'"), refused(/uses a lookaround/));
  assert.throws(
    () => compileRuleRegex("(", "rule 'x'"),
    refused(/^rule 'x': invalid regular expression \/\(\/: missing closing \)/),
  );
});

test("an over-long pattern is refused by its length, without echoing it", () => {
  const huge = "a|".repeat(2_500_000) + "b"; // 5 MB
  assert.throws(
    () => compileRuleRegex(huge, "rule 'big'"),
    (error: unknown) =>
      error instanceof LocalistError &&
      error.message.length < 300 &&
      error.message.includes(`${huge.length} characters, more than the ${MAX_RULE_REGEX} allowed`),
  );
});

test("control characters in a pattern are shown escaped", () => {
  assert.throws(
    () => compileRuleRegex("(\x1b[31m\n", "rule 'x'"),
    (error: unknown) =>
      error instanceof LocalistError &&
      error.message.includes("\\x1b[31m\\n") &&
      !error.message.includes("\x1b"),
  );
});
