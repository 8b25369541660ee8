/**
 * Host-side seeded randomness (mulberry32): the same seed gives the same stream on every machine.
 * Used for sampling, synthetic data and benchmarks; engine-side randomness uses jax-js keys.
 */

/** A generator of uniforms in [0, 1) from a 32-bit seed. */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A 32-bit mix of (seed, step, i) — splitmix-style, so nearby steps give unrelated numbers. */
export function hash32(seed: number, step: number, i: number): number {
  let h =
    (seed ^ Math.imul(step + 0x9e3779b9, 0x85ebca6b) ^ Math.imul(i + 0x7f4a7c15, 0xc2b2ae35)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d) >>> 0;
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}
