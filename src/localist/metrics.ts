/**
 * Attention metrics and the certified bound (docs/math.md#metrics-and-the-certified-bound), per
 * attention row, on the host.
 *
 *   entropy   H(a_i) = −Σ_j a_ij log₂ a_ij   (bits)
 *   fidelity  PF(i) = Σ_{j ∈ R(i)} a_ij,     leak ε_i = 1 − PF(i)
 *   bound     ε_i ≤ 1 / (1 + (n_in / n_out) · exp(λm − Δ_i)),
 *             Δ_i = max_{j ∉ R} c_ij − min_{j ∈ R} c_ij  over allowed keys, c = q·k/√d
 *   entropy   H(a_i) ≤ h₂(ε_i) + (1 − ε_i) log₂ n_in + ε_i log₂ n_out
 *   threshold λ* = (Δ_i + ln(n_out / n_in) + ln((1 − δ) / δ)) / m  gives PF(i) ≥ 1 − δ.
 *
 * Proof of the bound: with the bias −λm off R, the leaked mass is
 * Σ_out e^{c−λm} / (Σ_in e^c + Σ_out e^{c−λm}); bounding Σ_out e^c ≤ n_out e^{max_out c} and
 * Σ_in e^c ≥ n_in e^{min_in c} gives it. Under any further additive bias β_ij (rules, other hooks;
 * docs/math.md#the-bound-with-rules) λm becomes the total gap
 * G_i = λm + min_{j ∈ R} β_ij − max_{j ∉ R} β_ij, and the same proof gives ε_i ≤ 1/(1 + (n_in/n_out) e^{G_i − Δ_i}). Rows with an empty relevant set are left out of fidelity
 * and bound means (their fidelity is undefined); rows with no allowed key are left out entirely.
 */

export interface RowInput {
  /** Attention weights over the T keys of the row. */
  weights: ArrayLike<number>;
  /** Content scores c_ij over the same keys. */
  scores: ArrayLike<number>;
  /** 1 where key j is allowed by the mask. */
  allowed: ArrayLike<number>;
  /** 1 where key j is in the relevant set (a subset of allowed). */
  relevant: ArrayLike<number>;
  /** λ·m for this row's layer and head: the bias −λm on the keys outside R. */
  strength: number;
  /** Any further additive bias β_ij on each key (rules); the bound then uses the total gap G. */
  bias?: ArrayLike<number>;
}

/** The metrics of one attention row, from `rowMetrics`. */
export interface RowMetrics {
  /** H(a_i) = −Σ_j a_ij log₂ a_ij, in bits. */
  entropy: number;
  /** NaN when the relevant set is empty. */
  fidelity: number;
  /** Certified upper bound on the leak (NaN when the relevant set is empty). */
  leakBound: number;
  /**
   * The bound h₂(ε) + (1 − ε) log₂ n_in + ε log₂ n_out on the entropy, ε the leak bound, in bits.
   */
  entropyBound: number;
  /** n_in, the allowed keys in the relevant set R. */
  nIn: number;
  /** n_out, the allowed keys outside R. */
  nOut: number;
  /** Δ_i (−Infinity when nothing is outside R). */
  spread: number;
  /** The further bias's own gap min_{j∈R} β_ij − max_{j∉R} β_ij (0 without one); G = λm + this. */
  biasGap: number;
}

function log2(x: number): number {
  return Math.log(x) / Math.LN2;
}

/** Binary entropy h₂(ε) in bits. */
export function binaryEntropy(e: number): number {
  if (e <= 0 || e >= 1) return 0;
  return -e * log2(e) - (1 - e) * log2(1 - e);
}

/** The certified leak bound from n_in, n_out, Δ and the bias gap G (λm for the dial alone). */
export function leakBound(nIn: number, nOut: number, spread: number, strength: number): number {
  if (nOut === 0) return 0;
  return 1 / (1 + (nIn / nOut) * Math.exp(strength - spread));
}

/**
 * The gap G* = Δ + ln(n_out/n_in) + ln((1 − δ)/δ) that guarantees fidelity ≥ 1 − δ (0 when nothing
 * can leak; may be negative: no bias needed).
 */
export function requiredGap(nIn: number, nOut: number, spread: number, delta: number): number {
  if (nOut === 0) return -Infinity;
  return spread + Math.log(nOut / nIn) + Math.log((1 - delta) / delta);
}

/** The dial λ* at which the bound guarantees fidelity ≥ 1 − δ (may exceed 1). */
export function dialThreshold(
  nIn: number,
  nOut: number,
  spread: number,
  margin: number,
  delta: number,
): number {
  if (nOut === 0) return 0;
  return Math.max(0, (spread + Math.log(nOut / nIn) + Math.log((1 - delta) / delta)) / margin);
}

/**
 * The metrics of one attention row (docs/math.md#metrics-and-the-certified-bound): entropy in bits,
 * fidelity Σ_{j∈R} a_ij, the certified leak bound 1/(1 + (n_in/n_out) e^{G − Δ}) and the entropy
 * bound; undefined when the row has no allowed key.
 */
export function rowMetrics(row: RowInput): RowMetrics | undefined {
  const n = row.weights.length;
  let entropy = 0;
  let fidelity = 0;
  let nIn = 0;
  let nOut = 0;
  let maxOut = -Infinity;
  let minIn = Infinity;
  let biasIn = Infinity;
  let biasOut = -Infinity;
  const bias = row.bias;
  for (let j = 0; j < n; j++) {
    if (!row.allowed[j]) continue;
    const a = row.weights[j];
    if (a > 0) entropy -= a * log2(a);
    if (row.relevant[j]) {
      nIn++;
      fidelity += a;
      minIn = Math.min(minIn, row.scores[j]);
      if (bias) biasIn = Math.min(biasIn, bias[j]);
    } else {
      nOut++;
      maxOut = Math.max(maxOut, row.scores[j]);
      if (bias) biasOut = Math.max(biasOut, bias[j]);
    }
  }
  if (nIn + nOut === 0) return undefined;
  if (nIn === 0) {
    return {
      entropy,
      fidelity: NaN,
      leakBound: NaN,
      entropyBound: log2(nOut),
      nIn,
      nOut,
      spread: NaN,
      biasGap: NaN,
    };
  }
  const spread = nOut === 0 ? -Infinity : maxOut - minIn;
  const biasGap = bias && nOut > 0 ? biasIn - biasOut : 0;
  const leak = Math.min(1, Math.max(0, 1 - fidelity));
  const entropyBound =
    binaryEntropy(leak) + (1 - leak) * log2(nIn) + (nOut > 0 ? leak * log2(nOut) : 0);
  return {
    entropy,
    fidelity: Math.min(1, fidelity),
    leakBound: leakBound(nIn, nOut, spread, row.strength + biasGap),
    entropyBound,
    nIn,
    nOut,
    spread,
    biasGap,
  };
}

/** Means of row metrics over a set of rows. */
export interface MetricSummary {
  /** The rows averaged over. */
  rows: number;
  /** Mean entropy, in bits. */
  entropy: number;
  /** Mean measured fidelity (rows with an empty relevant set left out). */
  fidelity: number;
  /** Mean certified fidelity, 1 − the leak bound (rows with an empty relevant set left out). */
  certifiedFidelity: number;
  /** Rows whose measured leak exceeded the certified bound (0 unless something is wrong). */
  violations: number;
}

/** Running means of row metrics. */
export class MetricTotals {
  rows = 0;
  entropy = 0;
  scoredRows = 0;
  fidelity = 0;
  certified = 0;
  /** Rows where the measured leak exceeds the certified bound (by more than float32 rounding). */
  violations = 0;

  add(m: RowMetrics): void {
    this.rows++;
    this.entropy += m.entropy;
    if (Number.isNaN(m.fidelity)) return;
    this.scoredRows++;
    this.fidelity += m.fidelity;
    this.certified += 1 - m.leakBound;
    if (1 - m.fidelity > m.leakBound + 1e-4) this.violations++;
  }

  summary(): MetricSummary {
    return {
      rows: this.rows,
      entropy: this.entropy / Math.max(1, this.rows),
      fidelity: this.fidelity / Math.max(1, this.scoredRows),
      certifiedFidelity: this.certified / Math.max(1, this.scoredRows),
      violations: this.violations,
    };
  }
}
