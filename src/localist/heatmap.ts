/**
 * Attention as a terminal heatmap: one character per (query, key) cell, darker for more weight,
 * with the tokens as row labels and their first letters as column labels.
 */
const SHADES = [" ", "·", "░", "▒", "▓", "█"];

/** The shade for a weight in [0, 1] (square-root scale so small weights stay visible). */
export function shade(weight: number): string {
  if (!(weight > 0)) return SHADES[0];
  const level = Math.min(
    SHADES.length - 1,
    1 + Math.floor(Math.sqrt(Math.min(1, weight)) * (SHADES.length - 1)),
  );
  return SHADES[level];
}

/** Rows of a (T × T) matrix (row-major) as text lines, labelled by `tokens`. */
export function heatmap(
  weights: ArrayLike<number>,
  tokens: readonly string[],
  labelWidth = 12,
): string[] {
  const t = tokens.length;
  const label = (s: string) =>
    s.length > labelWidth ? s.slice(0, labelWidth - 1) + "…" : s.padStart(labelWidth);
  const header = " ".repeat(labelWidth) + " " + tokens.map((tok) => tok[0] ?? " ").join("");
  const lines = [header];
  for (let n = 0; n < t; n++) {
    let row = "";
    for (let m = 0; m < t; m++) row += shade(weights[n * t + m]);
    lines.push(`${label(tokens[n])} ${row}`);
  }
  lines.push(`${" ".repeat(labelWidth)} scale: ${SHADES.slice(1).join("")} (0 → 1)`);
  return lines;
}
