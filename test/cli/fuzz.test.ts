/**
 * Property-based fuzzing of the whole command line (fast-check): random and hostile flag values,
 * stray arguments, hostile files and edited checkpoints, thrown at every command of the command
 * table. Whatever happens, the program ends with exit code 0, 1 or 2; on failure it prints nothing
 * on stdout and exactly one `error:` line, last on stderr, with no stack trace; and it leaves no
 * half-written file behind. Bounded in time; LOCALIST_FUZZ_RUNS sets the number of runs,
 * LOCALIST_FUZZ_SEED the seed, and LOCALIST_FUZZ_LOG a file that lists every command line run.
 *
 * The valid values in the pools are small (steps 1–3, widths 2–8), so that a run the fuzzer makes
 * valid stays short; `demo` always gets one invalid argument (its valid runs train on Brown for
 * minutes).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { commandLines } from "../../src/cli/main.js";
import { currentCheckpoint, runCli, tempFiles } from "../helpers/cli.js";
import { syntheticCorpus } from "../helpers/corpus.js";
import { tinyTrainArgs } from "../helpers/tinyModel.js";

const runs = Number(process.env.LOCALIST_FUZZ_RUNS ?? 60);
const launcher = fileURLToPath(new URL("../../../bin/localist.js", import.meta.url));
const dir = tempFiles({
  "corpus.txt": syntheticCorpus(80),
  "train.csv": "x1,x2,y,label\n0,0,1,a\n1,0,2,a\n0,1,3,b\n1,1,4,b\n2,1,5,b\n1,2,6,a\n",
  "ragged.csv": "x1,y\n1\n2,3,4\n",
  "empty.txt": "",
  "garbage.bin": "\u0000\u00ff\u0001{[",
  "broken.json": "{ not json",
  "array.json": "[1, 2, 3]",
  "typed.json": '{"heads": "two", "the": 3}',
  "pass-rules.json": JSON.stringify({
    rules: [{ id: "all", query: { all: true }, key: { all: true }, strength: 1, minFidelity: 0 }],
  }),
});
const file = (name: string) => join(dir, name);
mkdirSync(file("folder"));
const model = join(dir, "model");
const trained = runCli([
  "train",
  ...tinyTrainArgs({ corpus: file("corpus.txt"), steps: 3, out: model }),
  "--localist",
  "--blocks",
  "window:4",
]);

/** Values a careless or hostile person types: out of range, malformed, paths to the wrong thing. */
const HOSTILE = [
  "",
  "-1",
  "0",
  "1",
  "2",
  "3",
  "1.5",
  "-0",
  "1e400",
  "NaN",
  "Infinity",
  "0x10",
  "1_000",
  "99999999999999999999",
  "abc",
  "∞",
  ",",
  "0,",
  ";",
  "0.5,0.5,0.5",
  "1,0",
  "local:0",
  "hybrid:3",
  "window:0",
  "window:2",
  "pos",
  "global",
  "1-3",
  "3-1",
  "a*",
  "(",
  "--json",
  "/dev/zero",
  "/nonexistent/file",
  "x".repeat(300),
  file("folder"),
  file("empty.txt"),
  file("garbage.bin"),
  file("broken.json"),
  file("array.json"),
  file("typed.json"),
  file("ragged.csv"),
  file("train.csv"),
  file("corpus.txt"),
  file("pass-rules.json"),
];

/** What makes each command's valid runs small (the fuzzed flags come after and override them). */
function baseArgs(prefix: string[], out: string): string[] {
  switch (prefix[0]) {
    case "train":
      return tinyTrainArgs({ corpus: file("corpus.txt"), steps: 2, out });
    case "prepare":
      return ["--corpus", file("corpus.txt"), "--out", out, "--quiet"];
    case "eval":
    case "sweep":
      return ["--model", model, "--windows", "2"].slice(0, prefix[0] === "eval" ? 2 : 4);
    case "generate":
      return ["--model", model, "--prompt", "the cat", "--tokens", "3"];
    case "explain":
      return ["--model", model, "--text", "the cat sees"];
    case "check":
      return ["--model", model, "--rules", file("pass-rules.json"), "--windows", "2"];
    case "profile-heads":
      return [
        "--model",
        model,
        "--rules",
        file("pass-rules.json"),
        "--windows",
        "1",
        "--eval-windows",
        "1",
      ];
    case "anchors":
      return ["--model", model];
    case "expressivity":
      return [
        "--languages",
        "Σ*a",
        "--models",
        "local:1",
        "--seeds",
        "1",
        "--steps",
        "2",
        "--test-strings",
        "4",
        "--test-grid",
        "1",
        "--train-lengths",
        "1-3",
        "--test-lengths",
        "4-5",
      ];
    case "local":
      return ["--train", file("train.csv"), "--target", "y", "--features", "x1,x2"];
    case "distreg":
      return [
        "--task",
        "mixture-mean",
        "--n",
        "4,6",
        "--m",
        "3",
        "--seeds",
        "1",
        "--steps",
        "2",
        "--batch",
        "4",
        "--test-bags",
        "4",
        "--width",
        "8",
        "--heads",
        "2",
        "--pretrain-bags",
        "6",
        "--adapt",
        "3",
        "--widths",
        "4,8",
        "--depths",
        "1",
      ];
    default:
      return [];
  }
}

interface Outcome {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], timeoutMs = 60_000): Promise<Outcome> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [launcher, ...args], { cwd: dir });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("close", (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Files a save left half-written anywhere under `root`. */
function leftovers(root: string): string[] {
  return readdirSync(root, { recursive: true, encoding: "utf8" }).filter((name) =>
    /\.tmp-|\.partial/.test(name),
  );
}

function assertWellBehaved(args: string[], outcome: Outcome): void {
  const shown = `localist ${args.join(" ")}`;
  assert.ok(
    outcome.status === 0 || outcome.status === 1 || outcome.status === 2,
    `${shown}: exit ${outcome.status} (a crash or a hang)\n${outcome.stderr}`,
  );
  assert.doesNotMatch(outcome.stderr, /^\s+at /m, `${shown}: a stack trace\n${outcome.stderr}`);
  assert.doesNotMatch(outcome.stderr, /internal error/, `${shown}: ${outcome.stderr}`);
  if (outcome.status !== 0) {
    assert.equal(outcome.stdout, "", `${shown}: output on failure`);
    const lines = outcome.stderr.trimEnd().split("\n");
    assert.match(lines.at(-1) ?? "", /^error: \S/, `${shown}: the last line is not the error`);
    assert.equal(
      lines.filter((line) => line.startsWith("error:")).length,
      1,
      `${shown}: more than one error line\n${outcome.stderr}`,
    );
  }
  assert.deepEqual(leftovers(dir), [], `${shown}: half-written files`);
}

const commands = commandLines();
const flagValue = fc.constantFrom(...HOSTILE);

/** One command line: a command, some of its flags with hostile values, maybe noise. */
const commandLine = fc
  .record({
    command: fc.constantFrom(...commands),
    picks: fc.array(fc.tuple(fc.nat(), flagValue), { minLength: 1, maxLength: 3 }),
    noise: fc.constantFrom(
      ...Array<string>(12).fill("none"),
      "stray",
      "unknown-flag",
      "dangling",
      "help",
    ),
  })
  .map(({ command, picks, noise }) => {
    const flags = command.flags;
    const chosen = picks.flatMap(([index, value]) => {
      const spec = flags[index % flags.length];
      return spec.kind === "boolean" ? [`--${spec.name}`] : [`--${spec.name}`, value];
    });
    const extra =
      noise === "stray"
        ? ["stray"]
        : noise === "unknown-flag"
          ? ["--colour", "red"]
          : noise === "dangling"
            ? [`--${flags[0].name}`]
            : noise === "help"
              ? ["--help"]
              : [];
    if (command.prefix[0] === "demo" && extra.length === 0) extra.push("stray");
    return { prefix: command.prefix, rest: [...chosen, ...extra] };
  });

test(`fuzzed command lines (${runs} runs): exit 0, 1 or 2, one error line, nothing half-written`, async () => {
  assert.equal(trained.status, 0, trained.stderr);
  let index = 0;
  await fc.assert(
    fc.asyncProperty(commandLine, async ({ prefix, rest }) => {
      const out = join(dir, `out-${index++}`);
      const args = [...prefix, ...baseArgs(prefix, out), ...rest];
      const outcome = await run(args);
      if (process.env.LOCALIST_FUZZ_LOG)
        writeFileSync(
          process.env.LOCALIST_FUZZ_LOG,
          `${outcome.status}\t${args.join(" ")}\t${outcome.stderr.trim().split("\n").at(-1)}\n`,
          { flag: "a" },
        );
      assertWellBehaved(args, outcome);
    }),
    {
      numRuns: runs,
      seed: Number(process.env.LOCALIST_FUZZ_SEED ?? 42),
      interruptAfterTimeLimit: 150_000,
      endOnFailure: true,
    },
  );
});

/** Ways a checkpoint gets damaged: cut short, bytes changed, a file gone, values of other types. */
const damage = fc.record({
  file: fc.constantFrom(
    "config.json",
    "state.json",
    "tokenizer.json",
    "model.safetensors",
    "optimizer.safetensors",
  ),
  how: fc.constantFrom("truncate", "flip", "delete", "retype"),
  at: fc.double({ min: 0, max: 1, noNaN: true }),
  value: fc.constantFrom(null, -1, "7", [], {}, 1e308, true),
});

const readers: string[][] = [
  ["eval", "--split", "valid"],
  ["sweep", "--dials", "0,1", "--windows", "2", "--inspect-windows", "1"],
  ["generate", "--prompt", "the", "--tokens", "2"],
  ["explain", "--text", "the cat"],
  ["train", "--resume"],
];

function retype(value: unknown, replacement: unknown, at: number): unknown {
  if (typeof value !== "object" || value === null) return replacement;
  const keys = Object.keys(value);
  if (keys.length === 0) return replacement;
  const key = keys[Math.floor(at * keys.length) % keys.length];
  return {
    ...value,
    [key]: retype((value as Record<string, unknown>)[key], replacement, (at * 7) % 1),
  };
}

test("damaged checkpoints: every reader refuses them with one line, or works", async () => {
  assert.equal(trained.status, 0, trained.stderr);
  let index = 0;
  await fc.assert(
    fc.asyncProperty(damage, fc.constantFrom(...readers), async (hurt, reader) => {
      const copy = join(dir, `damaged-${index++}`);
      cpSync(model, copy, { recursive: true });
      const target = join(currentCheckpoint(copy), hurt.file);
      const size = statSync(target).size;
      if (hurt.how === "truncate") truncateSync(target, Math.floor(hurt.at * size));
      else if (hurt.how === "delete") rmSync(target);
      else if (hurt.how === "flip") {
        const bytes = readFileSync(target);
        const at = Math.floor(hurt.at * bytes.length);
        bytes[at] = bytes[at] ^ 0xff;
        writeFileSync(target, bytes);
      } else if (hurt.file.endsWith(".json")) {
        const json = JSON.parse(readFileSync(target, "utf8")) as unknown;
        writeFileSync(target, JSON.stringify(retype(json, hurt.value, hurt.at)));
      } else truncateSync(target, 8);
      const args =
        reader[0] === "train"
          ? ["train", "--resume", "--out", copy]
          : [reader[0], "--model", copy, ...reader.slice(1)];
      assertWellBehaved(args, await run(args));
      rmSync(copy, { recursive: true, force: true });
    }),
    {
      numRuns: Math.ceil(runs / 2),
      seed: Number(process.env.LOCALIST_FUZZ_SEED ?? 7),
      interruptAfterTimeLimit: 90_000,
      endOnFailure: true,
    },
  );
});
