/**
 * The cross-entropy's one-hot rows: equal to nn.oneHot on small class counts, and built without a
 * C × C identity, so a compiled loss over a GPT-2-sized vocabulary (50,257 classes, whose identity
 * would take 10 GB) runs within the engine's memory and equals the gathered formula.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { fromHost, jit, nn, np, toFloat64 } from "../../src/engine/engine.js";
import { crossEntropy, oneHotRows } from "../../src/model/loss.js";
import { ready } from "../helpers/arrays.js";

before(() => ready);

test("oneHotRows equals nn.oneHot", () => {
  const targets = Int32Array.from([0, 3, 2, 3, 1, 0]);
  const mine = toFloat64(oneHotRows(fromHost(targets, [2, 3], np.int32), 4));
  const theirs = toFloat64(nn.oneHot(fromHost(targets, [2, 3], np.int32), 4).astype(np.float32));
  assert.deepEqual(Array.from(mine), Array.from(theirs));
});

test("a compiled cross-entropy over 50,257 classes runs and equals logsumexp − the target logit", () => {
  const classes = 50_257;
  const rows = 3;
  const logits = new Float32Array(rows * classes).map((_, i) => Math.sin(i * 0.37) * 3);
  const targets = Int32Array.from([5, 50_256, 1234]);
  const loss = jit((z: ReturnType<typeof fromHost>, y: ReturnType<typeof fromHost>) =>
    crossEntropy(z, y),
  );
  const got = toFloat64(
    loss(fromHost(logits, [1, rows, classes], np.float32), fromHost(targets, [1, rows], np.int32)),
  )[0];
  loss.dispose();
  let want = 0;
  for (let r = 0; r < rows; r++) {
    const row = logits.subarray(r * classes, (r + 1) * classes);
    const top = Math.max(...row);
    let sum = 0;
    for (const z of row) sum += Math.exp(z - top);
    want += top + Math.log(sum) - row[targets[r]];
  }
  want /= rows;
  assert.ok(Math.abs(got - want) < 1e-4, `${got} vs ${want}`);
});
