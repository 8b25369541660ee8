/** Shared by the benchmarks that run a peer (scikit-learn, PyTorch) in a child process. */

/** The last line of a child's stdout as JSON, or undefined when it is not JSON. */
export function lastJsonLine<T>(stdout: string): T | undefined {
  const lines = stdout.trim().split("\n");
  try {
    return JSON.parse(lines[lines.length - 1]) as T;
  } catch {
    return undefined;
  }
}
