/**
 * The attention heatmap: row i (query) by column j (key), darker for more weight. A long text does
 * not fall off a cliff: the canvas shows a window of at most MAX_ROWS rows that follows the
 * scroll position of its container, so any number of rows costs the same to draw.
 */

/** Rows drawn at once; the rest scroll. */
export const MAX_ROWS = 48;
const LABEL = 90;

/** The cell size in pixels for T keys (fits about 560 pixels of columns). */
export function cellSize(t: number): number {
  return Math.max(2, Math.min(22, Math.floor(560 / t)));
}

/** The red, green and blue (0–255) of a weight in [0, 1]: white to deep blue. */
export function weightRgb(w: number): [number, number, number] {
  const x = Math.max(0, Math.min(1, w));
  return [Math.round(255 - 225 * x), Math.round(255 - 175 * x), Math.round(255 - 75 * x)];
}

/** The colour of a weight in [0, 1] as CSS. */
export function weightColour(w: number): string {
  const [r, g, b] = weightRgb(w);
  return `rgb(${r},${g},${b})`;
}

export interface HeatmapData {
  /** (T·T) weights, row-major. */
  weights: ArrayLike<number>;
  texts: readonly string[];
  /** The colour of each token's block, for the labels. */
  colours: readonly string[];
}

/** Draws rows [first, first + rows) into the canvas. */
export function drawHeatmap(canvas: HTMLCanvasElement, data: HeatmapData, first: number): void {
  const t = data.texts.length;
  const cell = cellSize(t);
  const rows = Math.min(t, MAX_ROWS);
  const start = Math.max(0, Math.min(first, t - rows));
  canvas.width = LABEL + t * cell;
  canvas.height = rows * cell;
  canvas.dataset.firstRow = String(start);
  canvas.dataset.rows = String(rows);
  const g = canvas.getContext("2d");
  if (!g) return;
  g.fillStyle = "#fff";
  g.fillRect(0, 0, canvas.width, canvas.height);
  g.font = `${Math.min(12, Math.max(8, cell - 2))}px sans-serif`;
  g.textBaseline = "middle";
  g.textAlign = "right";
  for (let r = 0; r < rows; r++) {
    const n = start + r;
    g.fillStyle = data.colours[n];
    if (cell >= 8) g.fillText(`${n} ${data.texts[n]}`.slice(0, 14), LABEL - 4, r * cell + cell / 2);
  }
  // The cells as pixels written at once: one fillRect per cell took the page's thread ~10 ms per
  // thousand cells, and 48 rows of 512 keys are 24,576 cells.
  const width = t * cell;
  const image = g.createImageData(width, rows * cell);
  const pixels = new Uint32Array(image.data.buffer);
  const little = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
  for (let r = 0; r < rows; r++) {
    const n = start + r;
    for (let m = 0; m < t; m++) {
      const [red, green, blue] = weightRgb(data.weights[n * t + m]);
      const pixel = little
        ? (255 << 24) | (blue << 16) | (green << 8) | red
        : (red << 24) | (green << 16) | (blue << 8) | 255;
      for (let y = r * cell; y < (r + 1) * cell; y++)
        pixels.fill(pixel, y * width + m * cell, y * width + (m + 1) * cell);
    }
  }
  g.putImageData(image, LABEL, 0);
}

/** The cell under a point of the canvas (CSS pixels), if any. */
export function cellAt(
  canvas: HTMLCanvasElement,
  t: number,
  x: number,
  y: number,
): { row: number; key: number } | undefined {
  const scale = canvas.width / canvas.getBoundingClientRect().width || 1;
  const cell = cellSize(t);
  const key = Math.floor((x * scale - LABEL) / cell);
  const row = Number(canvas.dataset.firstRow ?? 0) + Math.floor((y * scale) / cell);
  if (key < 0 || key >= t || row < 0 || row >= t) return undefined;
  return { row, key };
}

function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The whole heatmap (every row) as a standalone SVG document. */
export function heatmapSvg(data: HeatmapData, title: string): string {
  const t = data.texts.length;
  const cell = 14;
  const top = 24;
  const width = LABEL + t * cell + 10;
  const height = top + t * cell + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="10">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="4" y="14" font-size="12">${escapeXml(title)}</text>`,
  ];
  for (let n = 0; n < t; n++) {
    const y = top + n * cell;
    parts.push(
      `<text x="${LABEL - 4}" y="${y + cell / 2 + 3}" text-anchor="end" fill="${data.colours[n]}">${escapeXml(data.texts[n].slice(0, 14))}</text>`,
    );
    for (let m = 0; m <= n && m < t; m++) {
      const w = data.weights[n * t + m];
      if (w > 0.005)
        parts.push(
          `<rect x="${LABEL + m * cell}" y="${y}" width="${cell}" height="${cell}" fill="${weightColour(w)}"/>`,
        );
    }
  }
  parts.push("</svg>");
  return parts.join("\n");
}
