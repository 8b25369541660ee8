/**
 * The one grammar for numbers a user types (flag values, lists in flags, CSV cells): decimal
 * only, with an optional sign, fraction and exponent. `Number()` alone would also read `0x10`,
 * `0b1`, `0o7`, `Infinity` and a blank (as 0), so one flag took hex while its neighbour refused it.
 */

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/** The value of `text` if it is a decimal number (no surrounding spaces), else NaN. */
export function parseDecimal(text: string): number {
  return DECIMAL.test(text) ? Number(text) : NaN;
}
