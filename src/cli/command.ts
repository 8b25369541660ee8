/**
 * A command of the `localist` command line: its flags as data and one call into the library.
 * Parsing, help and the wording of mistakes are shared (./flags.ts), so every command behaves alike.
 */
import { asksForHelp, formatHelp, parseFlags, type FlagSpec, type ParsedFlags } from "./flags.js";

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** The usage line, after `usage: `. */
  usage: string;
  /** What `--help` says under the usage line. */
  description: string;
  flags: readonly FlagSpec[];
  /** Names of the positional arguments it takes, in order (most commands take none). */
  positionals?: readonly string[];
  /**
   * Runs the command on parsed flags; returns what goes to stdout, or writes it with `out` as it
   * is produced (generated text streams) and returns nothing. A long-running command (the Lab's
   * server) returns a promise that settles when it stops.
   */
  run(parsed: ParsedFlags, out: Output): string | void | Promise<string | void>;
}

/** Where a command's results go (stdout). */
export type Output = (text: string) => void;

/** Help, or the command run on its parsed flags. */
export function runCommand(
  command: Command,
  name: string,
  args: readonly string[],
  out: Output,
): string | void | Promise<string | void> {
  if (asksForHelp(args)) return formatHelp(command.usage, command.description, command.flags);
  return command.run(parseFlags(args, command.flags, name, command.positionals), out);
}
