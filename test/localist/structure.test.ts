/**
 * Anchor scores and recruitment on the host: the mutual information against a brute-force count,
 * the class-bigram description length against its definition, 2-means, and how a split changes
 * the blocks and the routing.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { anchorScores, topAnchors } from "../../src/localist/anchorScores.js";
import {
  bestSplit,
  classBigramBits,
  contentAndFunction,
  splitBlocks,
  splitRouting,
  twoMeans,
} from "../../src/localist/recruitment.js";
import { defaultRouting } from "../../src/localist/routing.js";
import { seededRandom } from "../helpers/random.js";

/** I(X_v; Y) by brute force: X_v = v among ids[i − w … i − 1]. */
function bruteMutualInformation(ids: number[], labels: number[], v: number, w: number): number {
  const n = ids.length;
  const joint = new Map<string, number>();
  const px = [0, 0];
  const py = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    const x = ids.slice(Math.max(0, i - w), i).includes(v) ? 1 : 0;
    joint.set(`${x},${labels[i]}`, (joint.get(`${x},${labels[i]}`) ?? 0) + 1);
    px[x]++;
    py.set(labels[i], (py.get(labels[i]) ?? 0) + 1);
  }
  let info = 0;
  for (const [key, c] of joint) {
    const [x, y] = key.split(",").map(Number);
    info += (c / n) * Math.log2(c / n / ((px[x] / n) * ((py.get(y) as number) / n)));
  }
  return info;
}

test("anchor scores: the mutual information of presence and label, against brute force", () => {
  const random = seededRandom(3);
  const ids = Array.from({ length: 400 }, () => Math.floor(random() * 6));
  // Label: the parity of the token, or 2 when token 5 was seen recently (so 5 is informative).
  const labels = ids.map((id, i) => (ids.slice(Math.max(0, i - 3), i).includes(5) ? 2 : id % 2));
  for (const [label, count] of [
    [labels, 3],
    [ids, 6],
  ] as const) {
    const scores = anchorScores(Int32Array.from(ids), Int32Array.from(label), {
      vocabSize: 6,
      labelCount: count,
      window: 3,
    });
    for (let v = 0; v < 6; v++)
      assert.ok(
        Math.abs(scores[v].bits - bruteMutualInformation(ids, [...label], v, 3)) < 1e-9,
        `token ${v}`,
      );
  }
  const scores = anchorScores(Int32Array.from(ids), Int32Array.from(labels), {
    vocabSize: 6,
    labelCount: 3,
    window: 3,
  });
  assert.equal(topAnchors(scores, 1)[0].token, 5);
});

test("the class-bigram description length, by its definition", () => {
  const ids = Int32Array.from([2, 3, 2, 4, 3, 2, 4, 4]);
  const blocks = [0, 0, 0, 1, 1];
  // Transitions of blocks: 0→1, 1→0, 0→1, 1→1, 1→0, 0→1, 1→1; emissions p(x | g).
  const transitions = [
    [0, 1],
    [1, 0],
    [0, 1],
    [1, 1],
    [1, 0],
    [0, 1],
    [1, 1],
  ];
  const from = (a: number) => transitions.filter(([x]) => x === a).length;
  const pair = (a: number, b: number) => transitions.filter(([x, y]) => x === a && y === b).length;
  let bits = 0;
  for (const [a, b] of transitions) bits -= Math.log2(pair(a, b) / from(a));
  const emitted = Array.from(ids.slice(1));
  const inBlock = (g: number) => emitted.filter((x) => blocks[x] === g).length;
  for (const x of emitted)
    bits -= Math.log2(emitted.filter((y) => y === x).length / inBlock(blocks[x]));
  assert.ok(Math.abs(classBigramBits(ids, blocks, 2) - bits) < 1e-9);
});

test("2-means separates two clusters; a split pays when its halves are followed differently", () => {
  const points = Float64Array.from([0, 0, 0.1, 0, 5, 5, 5.2, 5, 0, 0.2]);
  assert.deepEqual(Array.from(twoMeans(points, [1, 1, 1, 1, 1], 2)), [0, 0, 1, 1, 0]);
  // Tokens 2, 3 in block 0; 4 in block 1. After 2 always comes 4, after 3 always 2 or 3.
  const ids = Int32Array.from(Array.from({ length: 300 }, (_, i) => [2, 4, 3, 3, 2, 4][i % 6]));
  const keys = Float64Array.from([0, 0, 0, 0, 1, 0, -1, 0, 0, 1]); // token t has key (x, y) at 2t
  const split = bestSplit(ids, [0, 0, 0, 0, 1], 2, keys, 2);
  assert.ok(split && split.gainBits > split.costBits);
  assert.equal(split.block, 0);
  assert.deepEqual(
    [split.kept, split.moved].map((x) => x.sort()),
    [[2], [3]],
  );
});

test("a split: the new block's name, tokens and routing", () => {
  const blocks = contentAndFunction({
    kind: "tokens",
    source: "pos",
    names: ["noun", "verb", "adjective-adverb", "determiner-pronoun", "punctuation"],
    tokenBlocks: [4, 4, 0, 1, 2, 3, 4],
  });
  assert.deepEqual(blocks.names, ["content", "function"]);
  assert.deepEqual(blocks.tokenBlocks, [1, 1, 0, 0, 0, 1, 1]);
  const after = splitBlocks(blocks, {
    block: 0,
    moved: [3],
    kept: [2, 4],
    gainBits: 1,
    costBits: 0,
  });
  assert.deepEqual(after.names, ["content.1", "function", "content.2"]);
  assert.deepEqual(after.tokenBlocks, [1, 1, 0, 2, 0, 1, 1]);
  // Four heads: 0 and 2 point at content, 1 and 3 at function; after the split head 0 keeps
  // content.1 and head 2 takes content.2.
  const routing = splitRouting(defaultRouting(["content", "function"], 4, false), 0);
  const target = (h: number) => [0, 1, 2].filter((c) => routing.targets[(h * 3 + 0) * 3 + c] === 1);
  assert.deepEqual([0, 1, 2, 3].map(target), [[0], [1], [2], [1]]);
  // Rows of the new block copy the old one's.
  for (let h = 0; h < 4; h++)
    for (let c = 0; c < 3; c++)
      assert.equal(routing.targets[(h * 3 + 2) * 3 + c], routing.targets[(h * 3 + 0) * 3 + c]);
});
