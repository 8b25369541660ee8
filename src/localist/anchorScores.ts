/**
 * Information-theoretic anchor selection (docs/math.md#anchors): a token is worth keeping visible
 * when knowing that it occurred recently tells much about what comes next. Over the positions i of
 * a token stream, with X_v = 1 when token v occurs among the w tokens before i and Y_i a label of
 * position i (the block g(x_i), or the token x_i itself),
 *
 *   I(X_v; Y) = Σ_{x ∈ {0,1}} Σ_y p(x, y) log₂ [p(x, y) / (p(x) p(y))]   (bits),
 *
 * computed from counts in one pass with a sliding window: N positions, n_v of them with X_v = 1,
 * N_y with label y, c_vy with both. Labels never seen with X_v = 1 are summed in closed form, so
 * next-token labels (V of them) cost no more than the present tokens of each window.
 */

export interface AnchorScore {
  /** The token id v. */
  token: number;
  /** I(X_v; Y) in bits. */
  bits: number;
  /** Positions whose window contains the token (n_v). */
  present: number;
}

/** I(X_v; Y) for every token v of the vocabulary, from a stream and one label per position. */
export function anchorScores(
  ids: Int32Array,
  labels: Int32Array,
  options: { vocabSize: number; labelCount: number; window: number },
): AnchorScore[] {
  const { vocabSize: v, labelCount, window: w } = options;
  const n = ids.length;
  const inWindow = new Int32Array(v); // occurrences of each token among the last w tokens
  const present: number[] = []; // tokens with inWindow > 0 (unordered)
  const slot = new Int32Array(v).fill(-1); // index of a token in `present`
  const presentCount = new Float64Array(v); // n_v
  const labelTotal = new Float64Array(labelCount); // N_y
  const joint = new Map<number, number>(); // c_vy keyed v·labelCount + y
  for (let i = 0; i < n; i++) {
    const y = labels[i];
    labelTotal[y]++;
    for (const token of present) {
      presentCount[token]++;
      const key = token * labelCount + y;
      joint.set(key, (joint.get(key) ?? 0) + 1);
    }
    // Slide: x_i enters the window of position i + 1 (x_{i−w+1} … x_i), x_{i−w} leaves it.
    const entering = ids[i];
    if (inWindow[entering]++ === 0) {
      slot[entering] = present.length;
      present.push(entering);
    }
    const leaving = i - w >= 0 ? ids[i - w] : -1;
    if (leaving >= 0 && (inWindow[leaving] -= 1) === 0) {
      const at = slot[leaving];
      const last = present.pop() as number;
      if (last !== leaving) {
        present[at] = last;
        slot[last] = at;
      }
      slot[leaving] = -1;
    }
  }
  // Group the joint counts by token.
  const byToken = new Map<number, [number, number][]>();
  for (const [key, count] of joint) {
    const token = Math.floor(key / labelCount);
    const list = byToken.get(token) ?? [];
    list.push([key % labelCount, count]);
    byToken.set(token, list);
  }
  const scores: AnchorScore[] = [];
  for (let token = 0; token < v; token++) {
    const n1 = presentCount[token];
    if (n1 === 0 || n1 === n) {
      scores.push({ token, bits: 0, present: n1 });
      continue;
    }
    const p1 = n1 / n;
    const p0 = 1 - p1;
    let info = 0;
    let seenMass = 0;
    for (const [y, c] of byToken.get(token) ?? []) {
      const py = labelTotal[y] / n;
      seenMass += py;
      const both = c / n;
      const rest = (labelTotal[y] - c) / n;
      info += both * Math.log(both / (p1 * py));
      if (rest > 0) info += rest * Math.log(rest / (p0 * py));
    }
    // Labels never seen with the token: p(0, y) = p(y), each term p(y) log(1/p0).
    info += (1 - seenMass) * Math.log(1 / p0);
    scores.push({ token, bits: Math.max(0, info / Math.LN2), present: n1 });
  }
  return scores;
}

/** The K best-scoring tokens, best first, leaving out `exclude` (e.g. `<unk>`). */
export function topAnchors(
  scores: readonly AnchorScore[],
  k: number,
  exclude: readonly number[] = [],
): AnchorScore[] {
  return scores
    .filter((s) => !exclude.includes(s.token) && s.bits > 0)
    .sort((a, b) => b.bits - a.bits || a.token - b.token)
    .slice(0, k);
}
