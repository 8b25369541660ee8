/**
 * Position encodings (docs/math.md#the-transformer): sinusoidal (added to the embeddings) and
 * rotary (rotating query/key pairs).
 *
 *   sinusoidal: PE(p, 2i) = sin(p / 10000^(2i/D)),  PE(p, 2i+1) = cos(p / 10000^(2i/D))
 *   rotary:     (x₁, x₂) ↦ (x₁ cos pθ_i − x₂ sin pθ_i, x₁ sin pθ_i + x₂ cos pθ_i),  θ_i = 10000^(−2i/E)
 *
 * Tables are built on the host and enter jit-compiled code as constants.
 */
import { fromHost, np, type JaxArray } from "../engine/engine.js";

/** (T, D) sinusoidal table. */
export function sinusoidalTable(length: number, width: number): JaxArray {
  const table = new Float32Array(length * width);
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < width; i += 2) {
      const angle = p / Math.pow(10000, i / width);
      table[p * width + i] = Math.sin(angle);
      if (i + 1 < width) table[p * width + i + 1] = Math.cos(angle);
    }
  }
  return fromHost(table, [length, width], np.float32);
}

/** cos and sin tables (T, E/2) for rotary encoding of head width E. */
export function rotaryTables(length: number, headWidth: number): { cos: JaxArray; sin: JaxArray } {
  const half = headWidth / 2;
  const cos = new Float32Array(length * half);
  const sin = new Float32Array(length * half);
  for (let p = 0; p < length; p++) {
    for (let i = 0; i < half; i++) {
      const angle = p * Math.pow(10000, (-2 * i) / headWidth);
      cos[p * half + i] = Math.cos(angle);
      sin[p * half + i] = Math.sin(angle);
    }
  }
  return {
    cos: fromHost(cos, [length, half], np.float32),
    sin: fromHost(sin, [length, half], np.float32),
  };
}

/** Rotates x (B, H, T, E) by position, pairing the two halves of E. Takes ownership of x. */
export function applyRotary(x: JaxArray, tables: { cos: JaxArray; sin: JaxArray }): JaxArray {
  const e = x.shape[3];
  const half = e / 2;
  const x1 = x.ref.slice([], [], [], [0, half]);
  const x2 = x.slice([], [], [], [half, e]);
  const cos = tables.cos;
  const sin = tables.sin;
  const r1 = x1.ref.mul(cos.ref).sub(x2.ref.mul(sin.ref));
  const r2 = x1.mul(sin).add(x2.mul(cos));
  return np.concatenate([r1, r2], 3);
}
