/** An independent oracle for the regex tests: JavaScript's RegExp, anchored, and string enumeration. */

/** The pattern as a JavaScript RegExp: Σ and . become [ab]; everything else means the same. */
export function oracle(pattern: string): RegExp {
  return new RegExp(`^(?:${pattern.replace(/[Σ.]/g, "[ab]")})$`);
}

/** Every string over {a, b} of length 0 … maxLength, shortest first. */
export function allStrings(maxLength: number): string[] {
  const out = [""];
  let layer = [""];
  for (let n = 1; n <= maxLength; n++) {
    layer = layer.flatMap((s) => [s + "a", s + "b"]);
    out.push(...layer);
  }
  return out;
}

/** Languages used across the tests: the six published ones and assorted syntax. */
export const PATTERNS = [
  "Σ*a",
  "Σ*ab",
  "aΣ*",
  "Σ*aΣ*bΣ*",
  "(ab)*",
  "Σ*abΣ*",
  "[ab]*",
  "(a|)b+",
  "a?b*a+",
  "[a][b]",
  ".b?",
  "((a|b)(a|b))*",
  "(a*b*)*",
  "()a",
  "(a*)*b?",
  "(ab|ba)+a?",
  "b|aa|(ab)+b",
  "[ba]*a[ab]?.",
];
