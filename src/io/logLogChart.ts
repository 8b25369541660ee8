/**
 * SVG charts on log–log axes, for learning curves: one or more panels side by side, each with
 * series of points (mean, with an optional bar from `low` to `high`, e.g. mean ± std), ticks at
 * the x values and at 1, 2, 3 and 5 times the powers of ten on y. No dependencies; plain SVG 1.1.
 * Points with y ≤ 0 (no logarithm) are left out.
 */

export interface ChartPoint {
  x: number;
  y: number;
  low?: number;
  high?: number;
}

export interface ChartSeries {
  name: string;
  color: string;
  points: ChartPoint[];
  /** Dashed line (e.g. a reference slope). */
  dashed?: boolean;
}

export interface ChartPanel {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
}

export interface LogLogOptions {
  title: string;
  panelWidth?: number;
  height?: number;
}

/** Colours for up to eight series. */
export const SERIES_COLORS = [
  "#1f77b4",
  "#d62728",
  "#2ca02c",
  "#ff7f0e",
  "#9467bd",
  "#8c564b",
  "#e377c2",
  "#7f7f7f",
] as const;

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function label(value: number): string {
  if (value >= 1e4 || value < 1e-3) return value.toExponential(0);
  return String(Number(value.toPrecision(3)));
}

/** 1, 2, 3, 5 × 10^k within [lo, hi] (at least the two ends when fewer fall inside). */
function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let k = Math.floor(Math.log10(lo)) - 1; k <= Math.ceil(Math.log10(hi)); k++)
    for (const f of [1, 2, 3, 5]) {
      const v = f * 10 ** k;
      if (v >= lo * (1 - 1e-9) && v <= hi * (1 + 1e-9)) ticks.push(v);
    }
  return ticks.length >= 2 ? ticks : [lo, hi];
}

function panelSvg(panel: ChartPanel, left: number, width: number, height: number): string[] {
  const margin = { left: 64, right: 16, top: 56, bottom: 56 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const points = panel.series.flatMap((s) => s.points.filter((p) => p.y > 0 && p.x > 0));
  const parts: string[] = [];
  const x0 = left + margin.left;
  parts.push(
    `<text x="${left + width / 2}" y="${margin.top - 24}" text-anchor="middle" font-size="13">${escapeXml(panel.title)}</text>`,
    `<rect x="${x0}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    `<text x="${x0 + plotW / 2}" y="${height - 14}" text-anchor="middle">${escapeXml(panel.xLabel)}</text>`,
    `<text transform="translate(${left + 16} ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(panel.yLabel)}</text>`,
  );
  if (points.length === 0) return parts;
  const xs = points.map((p) => p.x);
  const ys = points.flatMap((p) =>
    [p.y, p.low, p.high].filter((v): v is number => v !== undefined && v > 0),
  );
  let [xLo, xHi] = [Math.min(...xs), Math.max(...xs)];
  if (xLo === xHi) [xLo, xHi] = [xLo / 2, xHi * 2];
  let [yLo, yHi] = [Math.min(...ys), Math.max(...ys)];
  if (yLo === yHi) [yLo, yHi] = [yLo / 2, yHi * 2];
  [yLo, yHi] = [yLo / 1.15, yHi * 1.15];
  const px = (v: number) =>
    x0 + ((Math.log(v) - Math.log(xLo)) / (Math.log(xHi) - Math.log(xLo))) * plotW;
  const py = (v: number) =>
    margin.top +
    plotH -
    ((Math.log(Math.max(v, yLo)) - Math.log(yLo)) / (Math.log(yHi) - Math.log(yLo))) * plotH;
  for (const v of logTicks(yLo, yHi)) {
    const y = py(v).toFixed(1);
    parts.push(
      `<line x1="${x0}" y1="${y}" x2="${x0 + plotW}" y2="${y}" stroke="#eee"/>`,
      `<text x="${x0 - 6}" y="${Number(y) + 4}" text-anchor="end">${label(v)}</text>`,
    );
  }
  for (const v of [...new Set(xs)].sort((a, b) => a - b))
    parts.push(
      `<text x="${px(v).toFixed(1)}" y="${margin.top + plotH + 18}" text-anchor="middle">${label(v)}</text>`,
    );
  panel.series.forEach((s, index) => {
    const shown = s.points.filter((p) => p.y > 0 && p.x > 0).sort((a, b) => a.x - b.x);
    const dash = s.dashed ? ` stroke-dasharray="6 4"` : "";
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2"${dash} points="${shown
        .map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`)
        .join(" ")}"/>`,
    );
    for (const p of shown) {
      const cx = px(p.x).toFixed(1);
      if (p.low !== undefined && p.high !== undefined && p.high > p.low)
        parts.push(
          `<line x1="${cx}" y1="${py(Math.max(p.low, yLo)).toFixed(1)}" x2="${cx}" y2="${py(p.high).toFixed(1)}" stroke="${s.color}" stroke-width="1"/>`,
        );
      parts.push(`<circle cx="${cx}" cy="${py(p.y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
    const ly = margin.top + 14 + index * 16;
    const lx = x0 + plotW - 214;
    parts.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 20}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"${dash}/>`,
      `<text x="${lx + 26}" y="${ly}" font-size="11">${escapeXml(s.name)}</text>`,
    );
  });
  return parts;
}

/** The panels side by side under one title. */
export function logLogChart(panels: readonly ChartPanel[], options: LogLogOptions): string {
  const panelWidth = options.panelWidth ?? 520;
  const height = options.height ?? 400;
  const width = panelWidth * Math.max(1, panels.length);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height + 24}" viewBox="0 0 ${width} ${height + 24}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height + 24}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
    `<g transform="translate(0 24)">`,
    ...panels.flatMap((panel, i) => panelSvg(panel, i * panelWidth, panelWidth, height)),
    `</g>`,
    "</svg>",
  ];
  return parts.join("\n") + "\n";
}
