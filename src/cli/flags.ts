/**
 * Flags as data: every flag is described once (type, constraint, default, help), parsed by
 * `node:util`'s `parseArgs` in strict mode, checked once, and every mistake becomes a one-line
 * UsageError that names the flag, what was expected and what was given. Every command therefore
 * rejects unknown flags and stray arguments the same way.
 */
import { parseDecimal } from "../engine/numbers.js";
import { parseArgs } from "node:util";
import { LocalistError } from "../engine/errors.js";
import { printable } from "../engine/printable.js";
import { checkOutputFile, checkOutputFolder } from "../io/outputPath.js";
import { MAX_SEED } from "../train/settings.js";

/** A command-line mistake (exit code 2). */
export class UsageError extends LocalistError {}

/** A condition on a number flag, and how the error states it ("> 0", "≥ 0", …). */
export interface Constraint {
  ok(value: number): boolean;
  expected: string;
}

export const POSITIVE: Constraint = { ok: (v) => v > 0, expected: "> 0" };
export const NON_NEGATIVE: Constraint = { ok: (v) => v >= 0, expected: "≥ 0" };
export const AT_LEAST_ONE: Constraint = { ok: (v) => v >= 1, expected: "≥ 1" };
export const POSITIVE_INTEGER: Constraint = { ok: (v) => v >= 1, expected: "a positive integer" };

/** A seed flag: 32-bit, as the seeded generators use it. */
export function seedFlag(fallback: number, help: string): FlagSpec {
  return {
    name: "seed",
    kind: "integer",
    constraint: between(0, MAX_SEED),
    default: fallback,
    help,
  };
}

/** min ≤ v ≤ max. */
export function between(min: number, max: number): Constraint {
  return { ok: (v) => v >= min && v <= max, expected: `in [${min}, ${max}]` };
}

export interface FlagSpec {
  /** Flag name without dashes, e.g. "bandwidth". */
  name: string;
  kind: "string" | "number" | "integer" | "boolean";
  help: string;
  /** Allowed values for a string flag. */
  choices?: readonly string[];
  /** For number and integer flags. */
  constraint?: Constraint;
  default?: string | number | boolean;
  /** Placeholder shown in help, e.g. FILE. */
  value?: string;
  /**
   * A path the command writes: checked against the output-path policy (src/io/outputPath.ts)
   * when the flags are parsed, so a pipe or a device is refused before any work, not after it.
   */
  output?: "file" | "folder";
}

export type FlagValues = Record<string, string | number | boolean | undefined>;

export interface ParsedFlags {
  /** Every flag's value: as given, else its default. */
  flags: FlagValues;
  /** The flags the user typed. */
  given: ReadonlySet<string>;
  /** The positional arguments, for a command that names them (`positionals`). */
  positionals: string[];
}

function expected(spec: FlagSpec): string {
  if (spec.choices) return `one of ${spec.choices.join(", ")}`;
  if (spec.kind === "integer") return "an integer";
  if (spec.kind === "number") return "a number";
  return spec.value ?? "a value";
}

function convert(spec: FlagSpec, raw: string): string | number {
  if (spec.kind === "string") {
    // An empty path would mean the current folder, an empty name nothing: refuse both at once.
    if (raw === "" && spec.value !== "TEXT")
      throw new UsageError(`--${spec.name} needs a value (${expected(spec)}), got ''`);
    if (spec.choices && !spec.choices.includes(raw))
      throw new UsageError(`--${spec.name} must be ${expected(spec)}, got '${printable(raw)}'`);
    return raw;
  }
  // Decimal numbers only (src/engine/numbers.ts): Number() would also read "0x10" and "0b1".
  const value = parseDecimal(raw.trim());
  const ok = Number.isFinite(value) && (spec.kind === "number" || Number.isSafeInteger(value));
  if (!ok)
    throw new UsageError(`--${spec.name} must be ${expected(spec)}, got '${printable(raw)}'`);
  if (spec.constraint && !spec.constraint.ok(value))
    throw new UsageError(`--${spec.name} must be ${spec.constraint.expected}, got ${value}`);
  return value;
}

/** A negative number is a flag's value, not a flag: `--dial -1` becomes `--dial=-1`. */
function joinNegativeValues(args: readonly string[], specs: readonly FlagSpec[]): string[] {
  const valued = new Set(specs.filter((s) => s.kind !== "boolean").map((s) => `--${s.name}`));
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const next = args[i + 1];
    if (valued.has(args[i]) && next !== undefined && /^-(\d|\.\d|Infinity)/.test(next)) {
      out.push(`${args[i]}=${next}`);
      i++;
    } else out.push(args[i]);
  }
  return out;
}

/** The UsageError for one of `parseArgs`'s own errors, in this command line's words. */
function usageError(error: unknown, specs: readonly FlagSpec[], command: string): UsageError {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  const option = /'(-{1,2}[^' ]+)/.exec(message)?.[1] ?? "";
  const spec = specs.find((s) => `--${s.name}` === option);
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
    return new UsageError(`unknown flag ${option} for '${command}'; run '${command} --help'`);
  if (code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL") {
    const argument = /argument '([^']*)'/.exec(message)?.[1] ?? "";
    return new UsageError(`unexpected argument '${printable(argument)}' for '${command}'`);
  }
  if (spec?.kind === "boolean") return new UsageError(`${option} takes no value`);
  if (spec) return new UsageError(`${option} needs a value (${expected(spec)})`);
  return new UsageError(`${message.split("\n")[0]} (see '${command} --help')`);
}

/** Parses `--name value`, `--name=value` and boolean `--name` against `specs`; no positionals. */
export function parseFlags(
  args: readonly string[],
  specs: readonly FlagSpec[],
  command: string,
  /** Names of the positional arguments the command takes, in order (default none). */
  positionalNames: readonly string[] = [],
): ParsedFlags {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    const parsed = parseArgs({
      args: joinNegativeValues(args, specs),
      options: Object.fromEntries(
        specs.map((s) => [s.name, { type: s.kind === "boolean" ? "boolean" : "string" }]),
      ) as Record<string, { type: "string" | "boolean" }>,
      strict: true,
      allowPositionals: positionalNames.length > 0,
    });
    values = parsed.values as Record<string, string | boolean | undefined>;
    positionals = parsed.positionals;
  } catch (error) {
    throw usageError(error, specs, command);
  }
  if (positionals.length > positionalNames.length)
    throw new UsageError(
      `unexpected argument '${printable(positionals[positionalNames.length])}' for '${command}'`,
    );
  if (positionals.length < positionalNames.length)
    throw new UsageError(`'${command}' needs ${positionalNames[positionals.length]}`);
  const empty = positionals.findIndex((positional) => positional === "");
  if (empty >= 0) throw new UsageError(`'${command}' needs ${positionalNames[empty]}, got ''`);
  const flags: FlagValues = {};
  for (const spec of specs) {
    const raw = values[spec.name];
    flags[spec.name] =
      raw === undefined ? spec.default : typeof raw === "boolean" ? raw : convert(spec, raw);
    const value = flags[spec.name];
    if (spec.output === "file" && typeof value === "string")
      checkOutputFile(value, `--${spec.name}`);
    if (spec.output === "folder" && typeof value === "string")
      checkOutputFolder(value, `--${spec.name}`);
  }
  return { flags, given: new Set(Object.keys(values)), positionals };
}

/** Whether the arguments ask for help. */
export function asksForHelp(args: readonly string[]): boolean {
  return args.includes("--help") || args.includes("-h");
}

/** Help text: usage line, description, then one line per flag. */
export function formatHelp(usage: string, description: string, specs: readonly FlagSpec[]): string {
  const lines = [`usage: ${usage}`, "", description, ""];
  if (specs.length > 0) lines.push("options:");
  for (const spec of specs) {
    const left = `  --${spec.name}${spec.kind === "boolean" ? "" : ` ${spec.value ?? spec.kind.toUpperCase()}`}`;
    const extra = [
      spec.choices ? `one of ${spec.choices.join(", ")}` : "",
      spec.constraint ? spec.constraint.expected : "",
      spec.default !== undefined && spec.kind !== "boolean"
        ? `default ${String(spec.default)}`
        : "",
    ]
      .filter(Boolean)
      .join("; ");
    lines.push(`${left.padEnd(28)} ${spec.help}${extra ? ` (${extra})` : ""}`);
  }
  lines.push(`  --help                     show this help`);
  return lines.join("\n");
}

/** The value of a required flag, or a UsageError naming it. */
export function requireFlag(flags: FlagValues, name: string, command: string): string {
  const value = flags[name];
  if (value === undefined) throw new UsageError(`'${command}' needs --${name}`);
  return String(value);
}

/** Runs `action`, turning an input error it throws into a command-line mistake (exit 2). */
export function asUsageError<T>(action: () => T): T {
  try {
    return action();
  } catch (error) {
    if (error instanceof LocalistError && !(error instanceof UsageError))
      throw new UsageError(error.message);
    throw error;
  }
}
