/**
 * The local-attention expressivity benchmark (REFERENCES.md, "Local attention expressivity"):
 * recognizers with k-local, hybrid and global attention (strict causal masking, NoPE by default)
 * trained on strings of length 1–40 and tested on lengths 41–500, balanced positive/negative.
 *
 * Per (language, model, seed) cell:
 * - training pool: `balancedDataset` over the training lengths, `steps × batch` strings;
 * - test set: `balancedDataset` over a grid of `testLengths` lengths evenly spaced across the test
 *   range (41, 92, 143, …, 500 by default: consecutive grid lengths alternate in parity, so
 *   languages such as (ab)* have positives in half of them), `testStrings` strings in all (32 per
 *   grid length on average). A grid rather than every length keeps evaluation to one compiled
 *   shape per grid length, shared by all languages and seeds.
 * The table reports the mean test accuracy (%) over seeds ± the sample standard deviation.
 */
import { check, LocalistError } from "../../src/engine/errors.js";
import {
  formatAttentionSpec,
  parseAttentionSpec,
  type AttentionSpec,
} from "../../src/model/config.js";
import { createProgress, formatDuration, type ProgressStream } from "../../src/io/progress.js";
import {
  accuracy,
  disposeRecognizer,
  recognizerConfig,
  trainRecognizer,
  type RecognizerSettings,
} from "../../src/train/recognizer.js";
import { compileRegex, type Dfa } from "../../src/data/languages/regex.js";
import {
  balancedDataset,
  checkBothClasses,
  languageSamplers,
} from "../../src/data/languages/sampler.js";

/** The six published languages. */
export const DEFAULT_LANGUAGES = ["Σ*a", "Σ*ab", "aΣ*", "Σ*aΣ*bΣ*", "(ab)*", "Σ*abΣ*"] as const;
/** The seven published model kinds. */
export const DEFAULT_MODELS = [
  "local:1",
  "local:2",
  "local:4",
  "hybrid:1",
  "hybrid:2",
  "hybrid:4",
  "global",
] as const;

/** String lengths, both ends included. */
export interface LengthRange {
  min: number;
  max: number;
}

/** The languages, model kinds, seeds, recognizer settings and length ranges of a run. */
export interface BenchmarkOptions {
  languages: readonly string[];
  models: readonly string[];
  seeds: number;
  settings: RecognizerSettings;
  train: LengthRange;
  test: LengthRange;
  /** Test strings per cell, spread over the grid. */
  testStrings: number;
  /** Number of grid lengths in the test range. */
  testLengths: number;
  /** Where progress goes; null for none (default stderr). */
  progress?: ProgressStream | null;
}

/** One trained and tested (language, model, seed). */
export interface Cell {
  language: string;
  model: string;
  seed: number;
  /** Test accuracy in [0, 1]. */
  accuracy: number;
  /** Mean training loss over the last tenth of the steps. */
  finalLoss: number;
  seconds: number;
}

/** One (language, model) over its seeds. */
export interface Summary {
  language: string;
  model: string;
  /** Mean test accuracy (%) over seeds. */
  mean: number;
  /** Sample standard deviation (%) over seeds; 0 for one seed. */
  spread: number;
  seeds: number;
}

/** Every cell, their summary, the test grid and the options of the run. */
export interface BenchmarkResult {
  options: Omit<BenchmarkOptions, "progress">;
  testGrid: number[];
  cells: Cell[];
  summary: Summary[];
  seconds: number;
}

/** Parses a model kind (`local:K`, `hybrid:K`, `global`), with a message naming the choices. */
export function parseModelKind(text: string): AttentionSpec {
  try {
    return parseAttentionSpec(text);
  } catch (error) {
    if (!(error instanceof LocalistError)) throw error;
    throw new LocalistError(
      `unknown model kind '${text}'; expected local:K, hybrid:K or global (K a positive integer)`,
    );
  }
}

/** `count` lengths evenly spaced from min to max inclusive (rounded, distinct). */
export function lengthGrid(range: LengthRange, count: number): number[] {
  if (count <= 1 || range.max === range.min) return [range.max];
  const grid = new Set<number>();
  for (let i = 0; i < count; i++)
    grid.add(Math.round(range.min + ((range.max - range.min) * i) / (count - 1)));
  return [...grid];
}

/** A data seed from the run's seed, the stream (0 train, 1 test) and the language's text. */
function seedOf(seed: number, stream: number, pattern: string): number {
  let h = 0x811c9dc5; // FNV-1a of the pattern, so a language's data do not depend on the list order
  for (const c of pattern) h = Math.imul(h ^ (c.codePointAt(0) as number), 0x01000193);
  return (Math.imul(seed, 0x9e3779b1) ^ Math.imul(stream + 1, 0x85ebca6b) ^ h) >>> 0;
}

/** Mean and sample standard deviation (0 for fewer than two values). */
function meanAndSpread(values: number[]): { mean: number; spread: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  if (values.length < 2) return { mean, spread: 0 };
  const variance = values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1);
  return { mean, spread: Math.sqrt(variance) };
}

/**
 * Checks every language and model kind first (so a mistake is reported before any training),
 * then trains and tests every (language, model, seed) cell.
 */
export async function runBenchmark(options: BenchmarkOptions): Promise<BenchmarkResult> {
  const { settings, train, test, seeds } = options;
  check(options.languages.length > 0, "no languages given");
  check(options.models.length > 0, "no model kinds given");
  check(Number.isInteger(seeds) && seeds >= 1, `the number of seeds must be ≥ 1, got ${seeds}`);
  for (const [what, items] of [
    ["language", options.languages],
    ["model kind", options.models],
  ] as const) {
    const twice = items.find((x, i) => items.indexOf(x) !== i);
    check(twice === undefined, () => `${what} '${twice}' is listed twice`);
  }
  const kinds = options.models.map((m) => ({ name: m, spec: parseModelKind(m) }));
  for (const kind of kinds) recognizerConfig(kind.spec, settings, test.max); // validates sizes
  const grid = lengthGrid(test, options.testLengths);
  const languages = options.languages.map((pattern) => {
    const dfa: Dfa = compileRegex(pattern);
    const samplers = languageSamplers(dfa, Math.max(train.max, test.max));
    checkBothClasses(
      dfa,
      { minLength: test.min, maxLength: test.max, count: 0, seed: 0 },
      samplers,
    );
    checkBothClasses(
      dfa,
      { minLength: train.min, maxLength: train.max, count: 0, seed: 0 },
      samplers,
    );
    return { pattern, dfa, samplers };
  });

  const total = languages.length * kinds.length * seeds;
  const stream = options.progress === undefined ? process.stderr : options.progress;
  const began = performance.now();
  const cells: Cell[] = [];
  for (const { pattern, dfa, samplers } of languages) {
    for (let seed = 1; seed <= seeds; seed++) {
      const pool = balancedDataset(
        dfa,
        {
          minLength: train.min,
          maxLength: train.max,
          count: settings.steps * settings.batch,
          seed: seedOf(seed, 0, pattern),
        },
        samplers,
      );
      const testSet = balancedDataset(
        dfa,
        {
          minLength: test.min,
          maxLength: test.max,
          count: options.testStrings,
          seed: seedOf(seed, 1, pattern),
          lengths: grid,
        },
        samplers,
      );
      for (const kind of kinds) {
        const label = `[${cells.length + 1}/${total}] ${pattern} ${kind.name} seed ${seed}`;
        const cellBegan = performance.now();
        const progress = stream
          ? createProgress({ total: settings.steps, label, stream })
          : undefined;
        const trained = await trainRecognizer(pool, kind.spec, settings, {
          seed,
          maxLength: test.max,
          onStep: (step, loss) => progress?.update(step, { loss }),
        });
        let score: number;
        try {
          score = accuracy(trained.recognizer, testSet);
        } finally {
          disposeRecognizer(trained.recognizer);
        }
        cells.push({
          language: pattern,
          model: formatAttentionSpec(kind.spec),
          seed,
          accuracy: score,
          finalLoss: trained.finalLoss,
          seconds: (performance.now() - cellBegan) / 1000,
        });
        const elapsed = performance.now() - began;
        const eta = (elapsed / cells.length) * (total - cells.length);
        progress?.finish(
          `loss ${trained.finalLoss.toFixed(4)}  test ${(100 * score).toFixed(1)}%  (${cells[cells.length - 1].seconds.toFixed(0)}s; run ${formatDuration(elapsed)}, eta ${formatDuration(eta)})`,
        );
      }
    }
  }

  const summary: Summary[] = [];
  for (const { pattern } of languages) {
    for (const kind of kinds) {
      const model = formatAttentionSpec(kind.spec);
      const values = cells
        .filter((c) => c.language === pattern && c.model === model)
        .map((c) => 100 * c.accuracy);
      summary.push({ language: pattern, model, ...meanAndSpread(values), seeds: values.length });
    }
  }
  const { progress: _progress, ...rest } = options;
  return {
    options: rest,
    testGrid: grid,
    cells,
    summary,
    seconds: (performance.now() - began) / 1000,
  };
}

function cellText(s: Summary | undefined): string {
  if (!s) return "";
  return s.seeds > 1 ? `${s.mean.toFixed(1)} ± ${s.spread.toFixed(1)}` : s.mean.toFixed(1);
}

function columnsOf(result: BenchmarkResult): { languages: string[]; models: string[] } {
  const languages = [...new Set(result.summary.map((s) => s.language))];
  const models = [...new Set(result.summary.map((s) => s.model))];
  return { languages, models };
}

/** One line stating the protocol, printed under the table. */
function protocolLine(result: BenchmarkResult): string {
  const o = result.options;
  const s = o.settings;
  return (
    `Test accuracy (%), mean ± sample std over ${o.seeds} seed${o.seeds === 1 ? "" : "s"}; ` +
    `trained on lengths ${o.train.min}–${o.train.max} (${s.steps} steps × ${s.batch}), ` +
    `tested on ${o.testStrings} balanced strings at lengths ${result.testGrid.join(", ")}; ` +
    `${s.layers} layers, ${s.heads} heads, width ${s.dModel}, positions ${s.positional}, strict causal masking, read at ${s.endToken ? "an end-of-string token" : "the last letter"}.`
  );
}

/** The summary as a Markdown table (language × model). */
export function formatMarkdown(result: BenchmarkResult): string {
  const { languages, models } = columnsOf(result);
  const find = (l: string, m: string) =>
    result.summary.find((s) => s.language === l && s.model === m);
  const lines = [
    `| language | ${models.join(" | ")} |`,
    `|---|${models.map(() => "---").join("|")}|`,
    ...languages.map((l) => `| ${l} | ${models.map((m) => cellText(find(l, m))).join(" | ")} |`),
    "",
    protocolLine(result),
  ];
  return lines.join("\n");
}

/** The summary as an aligned plain-text table. */
export function formatTable(result: BenchmarkResult): string {
  const { languages, models } = columnsOf(result);
  const find = (l: string, m: string) =>
    result.summary.find((s) => s.language === l && s.model === m);
  const rows = [
    ["language", ...models],
    ...languages.map((l) => [l, ...models.map((m) => cellText(find(l, m)))]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) =>
    r.map((text, c) => (c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]))).join("  "),
  );
  return [...lines, "", protocolLine(result)].join("\n");
}
