/**
 * A command of the `localist` command line: its flags as data and one call into the library.
 * Parsing, help and the wording of mistakes are shared (./flags.ts), so every command behaves alike.
 */
import { initEngine, machineCores } from "../engine/engine.js";
import {
  asksForHelp,
  formatHelp,
  parseFlags,
  POSITIVE_INTEGER,
  UsageError,
  type FlagSpec,
  type ParsedFlags,
} from "./flags.js";

/**
 * `--threads N`, on the commands that train or evaluate: those read their results asynchronously,
 * which is what lets the engine spread their kernels over threads (src/engine/threads.ts).
 */
export const THREADS_FLAG: FlagSpec = {
  name: "threads",
  kind: "integer",
  constraint: POSITIVE_INTEGER,
  value: "N",
  help: "compute threads (default: the machine's cores)",
};

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
   * Commands of its own, by name (`localist distreg fit …`): a first argument that names one runs
   * it; any other runs this command, so its older command lines keep working.
   */
  subcommands?: Readonly<Record<string, Command>>;
  /**
   * Runs the command on parsed flags; returns what goes to stdout, or writes it with `out` as it
   * is produced (generated text streams) and returns nothing; commands that train or evaluate
   * return a promise (their reads are asynchronous, see src/train/loop.ts), and the Lab's server one
   * that settles when it stops.
   */
  run(parsed: ParsedFlags, out: Output): CommandResult | Promise<CommandResult>;
}

/** What a command prints when it returns (nothing when it wrote its output as it went). */
export type CommandResult = string | void;

/** Where a command's results go (stdout). */
export type Output = (text: string) => void;

/** Help, or the command run on its parsed flags (with the engine on the threads asked for). */
export async function runCommand(
  command: Command,
  name: string,
  args: readonly string[],
  out: Output,
): Promise<CommandResult> {
  const subs = command.subcommands;
  const sub =
    subs && args[0] !== undefined && Object.hasOwn(subs, args[0]) ? subs[args[0]] : undefined;
  if (sub) return runCommand(sub, `${name} ${args[0]}`, args.slice(1), out);
  if (asksForHelp(args)) return formatHelp(command.usage, command.description, command.flags);
  const parsed = parseFlags(args, command.flags, name, command.positionals);
  const threads = parsed.flags.threads as number | undefined;
  if (threads !== undefined) {
    const cores = machineCores();
    if (threads > cores)
      throw new UsageError(
        `--threads ${threads}: this process can compute on at most ${cores} thread(s) (the machine's cores; 1 where LOCALIST_THREADS=1)`,
      );
    await initEngine({ threads });
  }
  return command.run(parsed, out);
}
