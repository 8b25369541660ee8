/**
 * A small declarative flag parser: every flag is described once (type, default, help), parsed
 * once, and a wrong flag or value becomes a one-line UsageError that names the flag, what was
 * expected and what was given.
 */
import { LocalistError } from "../engine/errors.js";

/** A command-line mistake (exit code 2). */
export class UsageError extends LocalistError {}

export interface FlagSpec {
  /** Flag name without dashes, e.g. "bandwidth". */
  name: string;
  kind: "string" | "number" | "integer" | "boolean";
  help: string;
  /** Allowed values for a string flag. */
  choices?: readonly string[];
  default?: string | number | boolean;
  /** Placeholder shown in help, e.g. FILE. */
  value?: string;
}

export type FlagValues = Record<string, string | number | boolean | undefined>;

export interface ParsedArgs {
  flags: FlagValues;
  positionals: string[];
}

/** Parses `--name value`, `--name=value` and boolean `--name` against `specs`. */
export function parseFlags(
  args: string[],
  specs: readonly FlagSpec[],
  command: string,
): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const flags: FlagValues = {};
  for (const spec of specs) flags[spec.name] = spec.default;
  const positionals: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const name = arg.slice(2, eq === -1 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) {
      throw new UsageError(`unknown flag --${name} for '${command}'; run '${command} --help'`);
    }
    if (spec.kind === "boolean") {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    let raw: string | undefined;
    if (eq !== -1) raw = arg.slice(eq + 1);
    else raw = args[++i];
    if (raw === undefined) throw new UsageError(`--${name} needs a value (${expected(spec)})`);
    flags[name] = convert(spec, raw);
  }
  return { flags, positionals };
}

function expected(spec: FlagSpec): string {
  if (spec.choices) return `one of ${spec.choices.join(", ")}`;
  if (spec.kind === "integer") return "an integer";
  if (spec.kind === "number") return "a number";
  return spec.value ?? "a value";
}

function convert(spec: FlagSpec, raw: string): string | number {
  if (spec.kind === "string") {
    if (spec.choices && !spec.choices.includes(raw)) {
      throw new UsageError(`--${spec.name} must be ${expected(spec)}, got '${raw}'`);
    }
    return raw;
  }
  const value = raw.trim() === "" ? NaN : Number(raw);
  const ok = Number.isFinite(value) && (spec.kind === "number" || Number.isInteger(value));
  if (!ok) throw new UsageError(`--${spec.name} must be ${expected(spec)}, got '${raw}'`);
  return value;
}

/** Help text: usage line, description, then one line per flag. */
export function formatHelp(usage: string, description: string, specs: readonly FlagSpec[]): string {
  const lines = [`usage: ${usage}`, "", description, ""];
  if (specs.length > 0) lines.push("options:");
  for (const spec of specs) {
    const left = `  --${spec.name}${spec.kind === "boolean" ? "" : ` ${spec.value ?? spec.kind.toUpperCase()}`}`;
    const extra = [
      spec.choices ? `one of ${spec.choices.join(", ")}` : "",
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

/** The help text when `args` asks for it (`--help` or `-h`), else undefined. */
export function helpIfAsked(
  args: string[],
  usage: string,
  description: string,
  specs: readonly FlagSpec[],
): string | undefined {
  return args.includes("--help") || args.includes("-h")
    ? formatHelp(usage, description, specs)
    : undefined;
}

/** Rejects positional arguments for commands that take none. */
export function noPositionals(positionals: string[], command: string): void {
  if (positionals.length > 0) {
    throw new UsageError(`unexpected argument '${positionals[0]}' for '${command}'`);
  }
}

/** The value of a required flag, or a UsageError naming it. */
export function requireFlag(flags: FlagValues, name: string, command: string): string {
  const value = flags[name];
  if (value === undefined) throw new UsageError(`'${command}' needs --${name}`);
  return String(value);
}
