/** Shared by the benchmarks that run a peer (scikit-learn, PyTorch, TensorFlow.js) in a child process. */
import { spawnSync } from "node:child_process";

/** The last line of a child's stdout as JSON, or undefined when it is not JSON. */
export function lastJsonLine<T>(stdout: string): T | undefined {
  const lines = stdout.trim().split("\n");
  try {
    return JSON.parse(lines[lines.length - 1]) as T;
  } catch {
    return undefined;
  }
}

/**
 * Runs a Python peer (`python args…`, args[0] the script, in `env`) with stderr passed through, and
 * returns the JSON of its last stdout line; a failure throws one line naming the packages it needs.
 */
export function runPythonPeer<T>(
  python: string,
  args: string[],
  needs: string,
  env: NodeJS.ProcessEnv = process.env,
): T {
  return runPeerProgram<T>(python, args, needs, env);
}

/** A JavaScript peer (`node script args…`), as `runPythonPeer` runs a Python one. */
export function runNodePeer<T>(
  script: string,
  args: string[],
  needs: string,
  env: NodeJS.ProcessEnv = process.env,
): T {
  return runPeerProgram<T>(process.execPath, [script, ...args], needs, env);
}

function runPeerProgram<T>(
  program: string,
  args: string[],
  needs: string,
  env: NodeJS.ProcessEnv,
): T {
  const run = spawnSync(program, args, {
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
  });
  if (run.error) throw new Error(`could not start ${program}: ${run.error.message}`);
  const result = run.status === 0 ? lastJsonLine<T>(run.stdout) : undefined;
  if (result === undefined) {
    throw new Error(
      `${program} ${args[0]} exited with status ${String(run.status)} (it needs ${needs})`,
    );
  }
  return result;
}
