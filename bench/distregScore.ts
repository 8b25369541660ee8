/**
 * Scores `localist distreg predict`'s CSV against the true targets (docs/distreg.md): the NMSE
 * Σ(ŷ − y)² / Σ(y − ȳ)² over the bags and, when the predictions carry an sd column, the fraction of
 * targets inside the 90% intervals ŷ ± 1.645·sd.
 *
 *   node dist/bench/distregScore.js --predictions PRED.csv --targets TARGETS.csv
 */
import { parseArgs } from "node:util";
import { Z90 } from "../src/distreg/regressor.js";
import { readCsv } from "../src/io/csv.js";

const { values } = parseArgs({
  options: { predictions: { type: "string" }, targets: { type: "string" } },
});
if (values.predictions === undefined || values.targets === undefined)
  throw new Error("give --predictions PRED.csv and --targets TARGETS.csv");
const predicted = readCsv(values.predictions);
const truth = new Map(readCsv(values.targets).rows.map(([id, y]) => [id, Number(y)]));
const sdColumn = predicted.header.indexOf("sd");
const ys: number[] = [];
let squared = 0;
let inside = 0;
for (const row of predicted.rows) {
  const y = truth.get(row[0]);
  if (y === undefined) throw new Error(`bag '${row[0]}' has no target in ${values.targets}`);
  ys.push(y);
  squared += (Number(row[1]) - y) ** 2;
  if (sdColumn > 0 && Math.abs(Number(row[1]) - y) <= Z90 * Number(row[sdColumn])) inside++;
}
const mean = ys.reduce((a, b) => a + b, 0) / ys.length;
const spread = ys.reduce((a, y) => a + (y - mean) ** 2, 0);
const coverage =
  sdColumn > 0 ? `; 90% intervals cover ${((100 * inside) / ys.length).toFixed(1)}%` : "";
console.log(`${ys.length} bags: NMSE ${(squared / spread).toFixed(3)}${coverage}`);
