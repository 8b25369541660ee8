/**
 * The regular expressions of rule selectors, matched in linear time: rules files come from users
 * (and the Lab takes them from a text box), and a backtracking engine hangs on patterns such as
 * `^(a+)+$` against one long vocabulary word. RE2 (re2js, a pure-JavaScript port, so the Lab's page
 * uses it too) has no backtracking, hence no backreferences and no lookaround; those are refused
 * with a line that says so, and so is a pattern longer than MAX_RULE_REGEX characters.
 */
import { RE2JS } from "re2js";
import { LocalistError } from "../engine/errors.js";
import { printable } from "../engine/printable.js";

/** The longest rule regex accepted, in characters (a vocabulary pattern is a few dozen). */
export const MAX_RULE_REGEX = 1000;

/** A compiled rule regex: whether it matches anywhere in a token's text. */
export interface RuleRegex {
  test(text: string): boolean;
}

/** The JavaScript-only constructs RE2 lacks, found in `source`, in words (or undefined). */
function unsupported(source: string): string | undefined {
  if (/\\[1-9]|\\k</.test(source)) return "a backreference";
  if (/\(\?<?[=!]/.test(source)) return "a lookaround ((?=, (?!, (?<=, (?<!)";
  return undefined;
}

/**
 * Compiles `source` with RE2's syntax (https://github.com/google/re2/wiki/Syntax); `where` names the
 * rule in the one-line error.
 */
export function compileRuleRegex(source: string, where: string): RuleRegex {
  if (source.length > MAX_RULE_REGEX)
    throw new LocalistError(
      `${where}: the regular expression has ${source.length} characters, more than the ${MAX_RULE_REGEX} allowed; select tokens with a shorter pattern or a token list`,
    );
  const shown = `/${printable(source)}/`;
  const construct = unsupported(source);
  if (construct !== undefined)
    throw new LocalistError(
      `${where}: ${shown} uses ${construct}, which rule regexes do not support (they are matched in linear time, RE2 syntax); rewrite it without`,
    );
  let pattern: RE2JS;
  try {
    pattern = RE2JS.compile(source);
  } catch (error) {
    // RE2 ends its message with the offending part in backticks; the pattern is shown already.
    const reason = (error as Error).message
      .replace(/^error parsing regexp: /, "")
      .replace(/: `[^]*`$/, "");
    throw new LocalistError(`${where}: invalid regular expression ${shown}: ${printable(reason)}`);
  }
  return { test: (text) => pattern.test(text) };
}
