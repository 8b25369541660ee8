/**
 * The embedding's gradient scattered on the host, ∂L/∂E[v] = Σ_{p: token_p = v} ∂L/∂x₀[p], against
 * a plain-JS oracle over consecutive steps: the (V, D) host buffer is kept across steps and only
 * the rows a step touched are zeroed, so a step must not see the rows of the step before.
 */
import { before, test } from "node:test";
import { fromHost, np } from "../../src/engine/engine.js";
import { embeddingGradient } from "../../src/train/lmGradients.js";
import { assertClose, ready } from "../helpers/arrays.js";

before(() => ready);

function oracle(g: number[], tokens: number[], vocab: number, width: number): number[] {
  const dense = new Array<number>(vocab * width).fill(0);
  tokens.forEach((token, p) => {
    for (let d = 0; d < width; d++) dense[token * width + d] += g[p * width + d];
  });
  return dense;
}

test("the embedding gradient sums ∂L/∂x₀ by token, step after step, with no stale rows", async () => {
  const [vocab, width] = [7, 3];
  const scatter = embeddingGradient(vocab, width);
  const steps = [
    [1, 4, 4, 6], // a repeated token
    [0, 2, 3, 2], // none of the rows above: they must be zero now
    [4, 4, 4, 1],
  ];
  for (const [step, tokens] of steps.entries()) {
    const g = tokens.flatMap((_, p) => [0, 1, 2].map((d) => (step + 1) * (p - d) + 0.25 * d));
    const gradient = await scatter(
      fromHost(g, [tokens.length, width], np.float32),
      Int32Array.from(tokens),
    );
    assertClose(gradient, oracle(g, tokens, vocab, width), { atol: 1e-6 });
  }
});
