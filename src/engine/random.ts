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
