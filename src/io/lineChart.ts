/**
 * A small SVG line chart for dial sweeps: curves against λ on a shared x axis, with a left axis
 * (e.g. entropy in bits) and a right axis on [0, 1] (fidelities). No dependencies; plain SVG 1.1.
 */

export interface Series {
  name: string;
  values: number[];
  axis: "left" | "right";
  color: string;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  leftLabel: string;
  rightLabel: string;
  width?: number;
  height?: number;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function niceMax(values: number[]): number {
  const top = Math.max(1e-9, ...values.filter(Number.isFinite));
  const magnitude = Math.pow(10, Math.floor(Math.log10(top)));
  return Math.ceil(top / magnitude) * magnitude;
}

export function lineChart(xs: number[], series: Series[], options: ChartOptions): string {
  const width = options.width ?? 640;
  const height = options.height ?? 400;
  const margin = { left: 64, right: 64, top: 48, bottom: 56 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const xMin = Math.min(...xs);
  const xMax = Math.max(...xs);
  const leftMax = niceMax(series.filter((s) => s.axis === "left").flatMap((s) => s.values));
  const x = (v: number) => margin.left + ((v - xMin) / Math.max(1e-12, xMax - xMin)) * plotW;
  const y = (v: number, axis: "left" | "right") =>
    margin.top + plotH - (v / (axis === "left" ? leftMax : 1)) * plotH;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="24" text-anchor="middle" font-size="15">${escapeXml(options.title)}</text>`,
    `<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const fraction = i / 5;
    const yy = margin.top + plotH - fraction * plotH;
    parts.push(
      `<line x1="${margin.left}" y1="${yy}" x2="${margin.left + plotW}" y2="${yy}" stroke="#eee"/>`,
    );
    parts.push(
      `<text x="${margin.left - 6}" y="${yy + 4}" text-anchor="end">${(fraction * leftMax).toPrecision(3)}</text>`,
    );
    parts.push(`<text x="${margin.left + plotW + 6}" y="${yy + 4}">${fraction.toFixed(1)}</text>`);
  }
  for (const v of xs) {
    parts.push(
      `<text x="${x(v)}" y="${margin.top + plotH + 18}" text-anchor="middle">${Number(v.toFixed(3))}</text>`,
    );
  }
  parts.push(
    `<text x="${margin.left + plotW / 2}" y="${height - 14}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
  );
  parts.push(
    `<text transform="translate(18 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.leftLabel)}</text>`,
    `<text transform="translate(${width - 14} ${margin.top + plotH / 2}) rotate(90)" text-anchor="middle">${escapeXml(options.rightLabel)}</text>`,
  );
  series.forEach((s, index) => {
    const points = xs
      .map((v, i) => [v, s.values[i]] as const)
      .filter(([, value]) => Number.isFinite(value))
      .map(([v, value]) => `${x(v).toFixed(1)},${y(value, s.axis).toFixed(1)}`);
    parts.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${points.join(" ")}"/>`,
    );
    for (const point of points) {
      const [px, py] = point.split(",");
      parts.push(`<circle cx="${px}" cy="${py}" r="3" fill="${s.color}"/>`);
    }
    // Legend in the lower right, where sweep curves (falling entropy, rising fidelities) are not.
    const ly = margin.top + plotH - 12 - (series.length - 1 - index) * 16;
    const lx = margin.left + plotW - 230;
    parts.push(
      `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 20}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`,
    );
    parts.push(`<text x="${lx + 26}" y="${ly}">${escapeXml(`${s.name} (${s.axis} axis)`)}</text>`);
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
