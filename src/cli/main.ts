/**
 * The `localist` command: a table of commands, each a flag spec plus a call into the library.
 * Errors are one line on stderr; the exit code is 0 on success, 1 for a problem with the input,
 * 2 for a command-line mistake.
 */
import "../engine/threads.js"; // first, before jax-js loads (src/engine/threads.ts)
import "../kernels/kdTreeThreads.js"; // the k-d tree search on the same threads
import { readFileSync } from "node:fs";
import { initEngine } from "../engine/engine.js";
import { LocalistError, oneLine } from "../engine/errors.js";
import { onThreadFailure } from "../engine/threadControl.js";
import { runCommand, type Command, type CommandResult, type Output } from "./command.js";
import { DISTREG } from "./distreg.js";
import { EXPORT, IMPORT } from "./exchange.js";
import { EXPRESSIVITY } from "./expressivity.js";
import { inFlagTerms } from "./fieldFlags.js";
import { UsageError } from "./flags.js";
import { OutputError, reportOutputError } from "./output.js";
import { LOCAL_COMMANDS, LOCAL_SUMMARY, localHelp } from "./local.js";
import { DEMO, EXPLAIN, SWEEP } from "./localist.js";
import { EVAL, GENERATE, TRAIN } from "./lm.js";
import { CHECK, PROFILE_HEADS } from "./rules.js";
import { ANCHORS } from "./anchors.js";
import { LAB } from "./lab.js";
import { PREPARE } from "./prepare.js";

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
  prepare: PREPARE,
  train: TRAIN,
  eval: EVAL,
  generate: GENERATE,
  expressivity: EXPRESSIVITY,
  distreg: DISTREG,
  sweep: SWEEP,
  explain: EXPLAIN,
  check: CHECK,
  "profile-heads": PROFILE_HEADS,
  anchors: ANCHORS,
  demo: DEMO,
  lab: LAB,
  export: EXPORT,
  import: IMPORT,
};

/** Every command line the program takes, as argument prefixes with their flag specs (for tests). */
export function commandLines(): { prefix: string[]; flags: Command["flags"] }[] {
  return Object.entries(COMMANDS).flatMap(([name, entry]) =>
    "members" in entry
      ? Object.entries(entry.members).map(([member, command]) => ({
          prefix: [name, member],
          flags: command.flags,
        }))
      : [{ prefix: [name], flags: entry.flags }],
  );
}

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
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(13)} ${c.summary}`),
    "",
    "Run 'localist <command> --help' for a command's options; 'localist --version' for the version.",
  ].join("\n");
}

/** Runs the command line `argv` (without the program name); returns stdout text not yet written. */
function dispatch(argv: readonly string[], out: Output): CommandResult | Promise<CommandResult> {
  const [name, ...rest] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help")
    return mainHelp();
  if (name === "--version") return version();
  const entry = COMMANDS[name];
  if (!entry)
    throw new UsageError(
      `unknown command '${name}'; expected one of ${Object.keys(COMMANDS).join(", ")} (see 'localist --help')`,
    );
  if (!("members" in entry)) return runCommand(entry, `localist ${name}`, rest, out);
  const [member, ...args] = rest;
  if (member === undefined || member === "--help" || member === "-h") return entry.help();
  const command = entry.members[member];
  if (!command)
    throw new UsageError(
      `unknown ${entry.memberKind} '${member}'; expected one of ${Object.keys(entry.members).join(", ")}`,
    );
  return runCommand(command, `localist ${name} ${member}`, args, out);
}

/** The one line an error becomes, and its exit code: 2 for the command line, 1 for the rest. */
export function describeError(error: unknown): { line: string; code: 1 | 2 } {
  if (error instanceof LocalistError)
    return { line: inFlagTerms(error.message), code: error instanceof UsageError ? 2 : 1 };
  if ((error as NodeJS.ErrnoException | undefined)?.code !== undefined)
    return { line: oneLine(error), code: 1 };
  if (error instanceof RangeError && /allocation|array length|memory/i.test(error.message))
    return {
      line: `out of memory (${error.message}); use a smaller model, batch or input`,
      code: 1,
    };
  const message = error instanceof Error ? error.message : String(error);
  return {
    line: `internal error: ${oneLine(message)} (a bug in localist; run with LOCALIST_DEBUG=1 for the stack trace and report it)`,
    code: 1,
  };
}

/**
 * The command's result, or the compute-thread failure if one comes first. The library rejects the
 * reads that wait on a failed thread; this ends the command too when it was waiting on anything
 * else, so a failure always ends the program with its one line and exit status 1.
 */
function untilThreadFailure<T>(run: T | Promise<T>): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stopListening = onThreadFailure(reject);
    Promise.resolve(run).then(resolve, reject).finally(stopListening);
  });
}

export interface Streams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/**
 * Runs the command line; returns the exit code. Every error becomes one line on stderr (with the
 * stack trace too when LOCALIST_DEBUG is set), and nothing is written to stdout after it.
 */
export async function main(
  argv: string[],
  streams: Streams = { stdout: process.stdout, stderr: process.stderr },
): Promise<number> {
  let wrote = "";
  const out: Output = (text) => {
    if (text === "") return;
    try {
      streams.stdout.write(text);
    } catch (error) {
      throw new OutputError(error);
    }
    wrote = text;
  };
  try {
    const [name] = argv;
    const quick = name === undefined || ["--help", "-h", "help", "--version"].includes(name);
    if (!quick) await initEngine();
    const text = await untilThreadFailure(dispatch(argv, out));
    if (typeof text === "string") out(text.replace(/\n?$/, "\n"));
    else if (wrote !== "" && !wrote.endsWith("\n")) out("\n");
    return 0;
  } catch (error) {
    // Output into a closed pipe ends the program quietly, as Unix tools do (./output.ts).
    if ((error as NodeJS.ErrnoException | undefined)?.code === "EPIPE") return 0;
    if (error instanceof OutputError) return reportOutputError(error);
    const { line, code } = describeError(error);
    streams.stderr.write(`error: ${line}\n`);
    if (process.env.LOCALIST_DEBUG && error instanceof Error && !(error instanceof LocalistError))
      streams.stderr.write(`${error.stack ?? ""}\n`);
    return code;
  }
}
