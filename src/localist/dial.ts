/**
 * The locality dial λ ∈ [0, 1] (docs/math.md#the-locality-dial and docs/math.md#schedules): a scalar, one value per layer, or one per head of
 * every layer, optionally shaped by a per-layer schedule for progressive localisation:
 *
 *   λ_ℓ = λ · (ℓ / (L − 1))^β,   β = 1 (linear), 3 (cubic), 5 (quintic); uniform: λ_ℓ = λ.
 *
 * λ lives only in the attention logits, so it changes at evaluation time without retraining.
 */
import { parseDecimal } from "../engine/numbers.js";
import { LocalistError } from "../engine/errors.js";

/**
 * The dial schedules over layers: λ_ℓ = λ · (ℓ/(L − 1))^β with β = 0 (uniform), 1 (linear), 3
 * (cubic) or 5 (quintic), so later layers localize first.
 */
export const SCHEDULES = ["uniform", "linear", "cubic", "quintic"] as const;
/** One of `SCHEDULES`. */
export type Schedule = (typeof SCHEDULES)[number];
const EXPONENT: Record<Schedule, number> = { uniform: 0, linear: 1, cubic: 3, quintic: 5 };

/** A dial setting as given: a scalar, per layer, or per layer and head. */
export type DialValue = number | number[] | number[][];

function checkUnit(value: number, text: string): number {
  if (!(Number.isFinite(value) && value >= 0 && value <= 1)) {
    throw new LocalistError(`the dial λ must be in [0, 1], got ${text}`);
  }
  return value;
}

/** Parses `0.5`, `0.2,0.8` (per layer) or `0,0.5;1,1` (per layer; heads comma-separated). */
export function parseDial(text: string): DialValue {
  const layers = text
    .split(";")
    .map((layer) =>
      layer.split(",").map((part) => checkUnit(parseDecimal(part.trim()), `'${part.trim()}'`)),
    );
  if (layers.length === 1 && layers[0].length === 1) return layers[0][0];
  if (!text.includes(";")) return layers[0];
  return layers;
}

/** Parses a list of dial values `0,0.1,…,1` for a sweep. */
export function parseDialList(text: string): number[] {
  return text.split(",").map((part) => checkUnit(parseDecimal(part.trim()), `'${part.trim()}'`));
}

/** The (L, H) dial matrix for a setting and a schedule. */
export function dialMatrix(
  value: DialValue,
  schedule: Schedule,
  layers: number,
  heads: number,
): number[][] {
  const base: number[][] = Array.from({ length: layers }, (_, l) => {
    if (typeof value === "number") return new Array<number>(heads).fill(value);
    if (typeof value[0] === "number") {
      const perLayer = value as number[];
      if (perLayer.length !== layers) {
        throw new LocalistError(
          `the dial has ${perLayer.length} per-layer values but the model has ${layers} layers`,
        );
      }
      return new Array<number>(heads).fill(perLayer[l]);
    }
    const perHead = value as number[][];
    if (perHead.length !== layers || perHead.some((row) => row.length !== heads)) {
      throw new LocalistError(
        `a per-head dial needs ${layers} layers of ${heads} values separated by ';'`,
      );
    }
    return [...perHead[l]];
  });
  const beta = EXPONENT[schedule];
  return base.map((row, l) => {
    const shape = beta === 0 || layers === 1 ? 1 : Math.pow(l / (layers - 1), beta);
    return row.map((lambda) => lambda * shape);
  });
}
