/**
 * The `localist` command: a table of commands, each a flag spec plus a call into the library.
 * Errors are one line on stderr; the exit code is 0 on success, 1 for a problem with the input,
 * 2 for a command-line mistake.
 */
import { readFileSync } from "node:fs";
import { initEngine } from "../engine/engine.js";
import { LocalistError } from "../engine/errors.js";
import { runCommand, type Command } from "./command.js";
import { EXPRESSIVITY } from "./expressivity.js";
import { UsageError } from "./flags.js";
import { LOCAL_COMMANDS, LOCAL_SUMMARY, localHelp } from "./local.js";
import { DEMO, EXPLAIN, SWEEP } from "./localist.js";
import { EVAL, GENERATE, TRAIN } from "./lm.js";

/** A command with methods of its own: `localist local <method>`. */
interface CommandGroup {
  summary: string;
  help(): string;
  members: Record<string, Command>;
  /** What the members are called in messages. */
  memberKind: string;
}

const COMMANDS: Record<string, Command | CommandGroup> = {
  local: { summary: LOCAL_SUMMARY, help: localHelp, members: LOCAL_COMMANDS, memberKind: "method" },
  train: TRAIN,
  eval: EVAL,
  generate: GENERATE,
  expressivity: EXPRESSIVITY,
  sweep: SWEEP,
  explain: EXPLAIN,
  demo: DEMO,
};

function version(): string {
  const pkg = JSON.parse(
    readFileSync(new URL("../../../package.json", import.meta.url), "utf8"),
  ) as { version: string };
  return pkg.version;
}

export function mainHelp(): string {
  return [
    "usage: localist <command> [options]",
    "",
    "localist: localization kernels, local means and the methods built on them.",
    "",
    "commands:",
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`),
    "",
    "Run 'localist <command> --help' for a command's options; 'localist --version' for the version.",
  ].join("\n");
}

/** Runs the command line `argv` (without the program name); returns stdout text. */
function dispatch(argv: readonly string[]): string {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help")
    return mainHelp();
  if (name === "--version") return version();
  const entry = COMMANDS[name];
  if (!entry)
    throw new UsageError(
      `unknown command '${name}'; expected one of ${Object.keys(COMMANDS).join(", ")} (see 'localist --help')`,
    );
  if (!("members" in entry)) return runCommand(entry, `localist ${name}`, rest);
  const [member, ...args] = rest;
  if (member === undefined || member === "--help" || member === "-h") return entry.help();
  const command = entry.members[member];
  if (!command)
    throw new UsageError(
      `unknown ${entry.memberKind} '${member}'; expected one of ${Object.keys(entry.members).join(", ")}`,
    );
  return runCommand(command, `localist ${name} ${member}`, args);
}

export async function main(argv: string[]): Promise<number> {
  try {
    const [name] = argv;
    const quick = name === undefined || ["--help", "-h", "help", "--version"].includes(name);
    if (!quick) await initEngine();
    process.stdout.write(dispatch(argv).replace(/\n?$/, "\n"));
    return 0;
  } catch (error) {
    if (error instanceof LocalistError) {
      process.stderr.write(`error: ${error.message}\n`);
      return error instanceof UsageError ? 2 : 1;
    }
    throw error;
  }
}
