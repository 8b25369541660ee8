/**
 * Seeded host-side draws for the distribution tasks: uniforms (mulberry32), standard normals
 * (Box–Muller), Dirichlet weights and Haar-random rotations. Every bag gets its own generators,
 * keyed by (seed, bag, stream) with a 32-bit mix, so bag i is the same whatever the number of
 * bags drawn, and its first m samples are the same whatever the number of samples drawn.
 */
import { hash32, seededUniform } from "../../engine/random.js";

/**
 * A seeded source of uniform and normal numbers, for drawing distributions and their samples
 * reproducibly.
 */
export interface Rng {
  /** Uniform on [0, 1). */
  uniform(): number;
  /** Standard normal N(0, 1). */
  normal(): number;
}

/** A generator of uniforms and normals from a 32-bit seed. */
export function seededRng(seed: number): Rng {
  const uniform = seededUniform(seed);
  let spare: number | undefined;
  return {
    uniform,
    normal() {
      if (spare !== undefined) {
        const value = spare;
        spare = undefined;
        return value;
      }
      // Box–Muller: u1 in (0, 1] so the log is finite.
      const u1 = 1 - uniform();
      const u2 = uniform();
      const radius = Math.sqrt(-2 * Math.log(u1));
      spare = radius * Math.sin(2 * Math.PI * u2);
      return radius * Math.cos(2 * Math.PI * u2);
    },
  };
}

/** The generator of stream `stream` (0: the distribution, 1: its samples) of bag `bag`. */
export function bagRng(seed: number, bag: number, stream: number): Rng {
  return seededRng(hash32(seed, bag, stream));
}

/** Uniform on [low, high). */
export function uniformBetween(rng: Rng, low: number, high: number): number {
  return low + (high - low) * rng.uniform();
}

/** Weights from a symmetric Dirichlet(1, …, 1): normalized standard exponentials. */
export function dirichletWeights(rng: Rng, count: number): number[] {
  const draws = Array.from({ length: count }, () => -Math.log(1 - rng.uniform()));
  const total = draws.reduce((a, b) => a + b, 0);
  return draws.map((x) => x / total);
}

/**
 * A Haar-random d × d rotation (row-major): Gram–Schmidt on a matrix of standard normals, which
 * is the Q of its QR factorization with a positive diagonal of R.
 */
export function randomOrthogonal(rng: Rng, d: number): Float64Array {
  const q = Float64Array.from({ length: d * d }, () => rng.normal()); // columns are vectors
  for (let j = 0; j < d; j++) {
    for (let i = 0; i < j; i++) {
      let dot = 0;
      for (let r = 0; r < d; r++) dot += q[r * d + i] * q[r * d + j];
      for (let r = 0; r < d; r++) q[r * d + j] -= dot * q[r * d + i];
    }
    let norm = 0;
    for (let r = 0; r < d; r++) norm += q[r * d + j] ** 2;
    norm = Math.sqrt(norm);
    for (let r = 0; r < d; r++) q[r * d + j] /= norm;
  }
  return q;
}
