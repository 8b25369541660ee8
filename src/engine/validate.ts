/**
 * Files checked against schemas (zod), with one-line errors that name the file, the field, what was
 * expected and what was found: `run/config.json: model.heads must be an integer, got "4"`.
 */
import type { z } from "zod";
import { LocalistError } from "./errors.js";

type Issue = z.core.$ZodIssue & { input?: unknown };

function show(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}…` : text;
}

const EXPECTED: Record<string, string> = {
  int: "an integer",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  object: "an object",
  record: "an object",
};

/** One issue in words. */
function describe(issue: Issue): string {
  const field = issue.path.length === 0 ? "the file" : issue.path.join(".");
  switch (issue.code) {
    case "invalid_type": {
      const expected = EXPECTED[issue.expected] ?? issue.expected;
      return `${field} must be ${expected}, got ${show(issue.input)}`;
    }
    case "too_small":
    case "too_big": {
      const bound = issue.code === "too_small" ? issue.minimum : issue.maximum;
      const sign =
        issue.code === "too_small" ? (issue.inclusive ? "≥" : ">") : issue.inclusive ? "≤" : "<";
      if (issue.origin === "array")
        return `${field} must have ${sign} ${String(bound)} items, got ${Array.isArray(issue.input) ? issue.input.length : show(issue.input)}`;
      return `${field} must be ${sign} ${String(bound)}, got ${show(issue.input)}`;
    }
    case "invalid_format":
      return `${field} must match ${issue.pattern ?? issue.format}, got ${show(issue.input)}`;
    case "invalid_value":
      return `${field} must be ${issue.values.length === 1 ? show(issue.values[0]) : `one of ${issue.values.map(show).join(", ")}`}, got ${show(issue.input)}`;
    case "invalid_union": {
      const discriminated = issue as Issue & { options?: unknown[]; discriminator?: string };
      if (discriminated.options && discriminated.discriminator) {
        const found = (issue.input as Record<string, unknown> | undefined)?.[
          discriminated.discriminator
        ];
        return `${field} must be one of ${discriminated.options.map(show).join(", ")}, got ${show(found)}`;
      }
      // The alternative that got furthest names the real problem.
      const deepest = issue.errors
        .map((errors) => errors[0] as Issue | undefined)
        .filter((first): first is Issue => first !== undefined)
        .sort((a, b) => b.path.length - a.path.length)[0];
      return deepest
        ? describe({ ...deepest, path: [...issue.path, ...deepest.path] } as Issue)
        : `${field} is not valid`;
    }
    default:
      return `${field}: ${issue.message}`;
  }
}

/** `value` checked against `schema`; a one-line LocalistError naming `where` and the first problem. */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const issues = result.error.issues as Issue[];
  const more =
    issues.length > 1
      ? ` (and ${issues.length - 1} more problem${issues.length > 2 ? "s" : ""})`
      : "";
  throw new LocalistError(`${where}: ${describe(issues[0])}${more}`);
}
