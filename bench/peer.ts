/** Shared by the benchmarks that run a peer (scikit-learn, PyTorch) in a child process. */
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
 * Runs a Python peer (`python args…`, args[0] the script, in `env`) with stderr passed through, and returns
 * the JSON of its last stdout line; a failure throws one line naming the packages it needs.
 */
export function runPythonPeer<T>(
  python: string,
  args: string[],
  needs: string,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const run = spawnSync(python, args, {
    env,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
    maxBuffer: 1 << 24,
  });
  if (run.error) throw new Error(`could not start ${python}: ${run.error.message}`);
  const result = run.status === 0 ? lastJsonLine<T>(run.stdout) : undefined;
  if (result === undefined) {
    throw new Error(
      `${python} ${args[0]} exited with status ${String(run.status)} (it needs ${needs})`,
    );
  }
  return result;
}
