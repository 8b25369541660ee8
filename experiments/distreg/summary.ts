/**
 * Summaries of repeated runs: mean ± sample standard deviation over seeds, and the least-squares
 * slope of log error against log N (or log m) — the exponent of a learning curve err ∝ N^slope
 * (docs/math.md#learning-curves-and-their-slopes).
 */

export interface Spread {
  mean: number;
  /** Sample standard deviation; 0 for one value. */
  std: number;
  count: number;
}

export function meanAndSpread(values: readonly number[]): Spread {
  const count = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / Math.max(1, count);
  if (count < 2) return { mean, std: 0, count };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (count - 1);
  return { mean, std: Math.sqrt(variance), count };
}

/**
 * The slope b of log y = a + b log x by least squares over the points with x, y > 0; NaN with
 * fewer than two such points.
 */
export function logLogSlope(xs: readonly number[], ys: readonly number[]): number {
  const points = xs
    .map((x, i) => [x, ys[i]] as const)
    .filter(([x, y]) => x > 0 && y > 0 && Number.isFinite(y));
  if (points.length < 2) return NaN;
  const lx = points.map(([x]) => Math.log(x));
  const ly = points.map(([, y]) => Math.log(y));
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let num = 0;
  let den = 0;
  lx.forEach((x, i) => {
    num += (x - mx) * (ly[i] - my);
    den += (x - mx) ** 2;
  });
  return den > 0 ? num / den : NaN;
}

/** "0.123 ± 0.004" (or just the mean for one seed), in 3 significant digits. */
export function formatSpread(s: Spread | undefined): string {
  if (!s || !Number.isFinite(s.mean)) return "—";
  const digits = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(1) : v.toPrecision(3));
  return s.count > 1 ? `${digits(s.mean)} ± ${digits(s.std)}` : digits(s.mean);
}

/** Rows of cells as an aligned plain-text table (first column left-aligned). */
export function plainTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  return rows
    .map((r) =>
      r.map((text, c) => (c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]))).join("  "),
    )
    .join("\n");
}

/** Rows of cells as a Markdown table (the first row the header). */
export function markdownTable(rows: string[][]): string {
  const [header, ...body] = rows;
  return [
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...body.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}
