/** Modern Hopfield retrieval as a local mean, the classical network, and the retrieval experiment. */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { toFloat64 } from "../../src/engine/engine.js";
import { classicalHopfieldRetrieve, hopfieldRetrieve } from "../../src/classical/hopfield.js";
import { runHopfieldExperiment } from "../../experiments/theory/hopfieldRetrieval.js";
import { assertClose, matrix, ready } from "../helpers/arrays.js";
import { seededRandom, uniformRows } from "../helpers/random.js";

before(() => ready);

/** One update ξ ← Σ_j softmax_j(β x_j·ξ) x_j, written out. */
function oracleUpdate(patterns: number[][], xi: number[], beta: number): number[] {
  const scores = patterns.map((x) => beta * x.reduce((s, v, k) => s + v * xi[k], 0));
  const top = Math.max(...scores);
  const e = scores.map((s) => Math.exp(s - top));
  const total = e.reduce((a, b) => a + b, 0);
  return xi.map((_, k) => patterns.reduce((s, x, j) => s + (e[j] / total) * x[k], 0));
}

test("each update is the softmax local mean of the stored patterns (plain-JS oracle, 3 steps)", () => {
  const random = seededRandom(11);
  const patterns = uniformRows(random, 9, 5);
  const probes = uniformRows(random, 4, 5);
  const beta = 1.7;
  const expected = probes.map((p) => {
    let xi = p;
    for (let step = 0; step < 3; step++) xi = oracleUpdate(patterns, xi, beta);
    return xi;
  });
  const got = hopfieldRetrieve(matrix(patterns), matrix(probes), { beta, steps: 3 });
  assertClose(got, expected.flat(), { rtol: 1e-5, atol: 1e-7 });
});

test("one stored pattern, or a large β, retrieves the closest stored pattern exactly", () => {
  const patterns = [
    [1, -1, 1, 1, -1, -1],
    [-1, -1, 1, -1, 1, 1],
    [1, 1, -1, -1, -1, 1],
  ];
  const probe = [[1, -1, 1, -1, -1, -1]]; // one sign away from the first pattern
  assertClose(hopfieldRetrieve(matrix([patterns[0]]), matrix(probe), { beta: 0.01 }), patterns[0]);
  assertClose(hopfieldRetrieve(matrix(patterns), matrix(probe), { beta: 50 }), patterns[0], {
    rtol: 0,
    atol: 1e-12,
  });
});

test("β → 0 averages the stored patterns", () => {
  const patterns = [
    [1, 2],
    [3, -4],
    [-2, 5],
  ];
  assertClose(hopfieldRetrieve(matrix(patterns), matrix([[7, 7]]), { beta: 1e-12 }), [2 / 3, 1], {
    rtol: 1e-9,
  });
});

test("the classical network retrieves few patterns and ends at fixed points of sign(Ws)", () => {
  const patterns = [
    [1, 1, 1, 1, -1, -1, -1, -1],
    [1, -1, 1, -1, 1, -1, 1, -1],
  ]; // orthogonal
  const probes = [
    [1, 1, 1, -1, -1, -1, -1, -1],
    [1, -1, 1, -1, 1, -1, -1, -1],
  ];
  const states = toFloat64(classicalHopfieldRetrieve(matrix(patterns), matrix(probes)));
  assert.deepEqual(Array.from(states), patterns.flat());
  assert.throws(
    () => classicalHopfieldRetrieve(matrix([[1, 0.5]]), matrix([[1, 1]])),
    /needs ±1 entries/,
  );
});

test("the experiment: modern retrieval keeps working far beyond the classical capacity", () => {
  const rows = runHopfieldExperiment({
    dimensions: 32,
    patternCounts: [2, 32, 256],
    betas: [0.001, 1],
    flipFraction: 0.125,
    memories: 3,
    probes: 5,
    steps: 1,
    seed: 1,
  });
  assert.deepEqual(
    rows.map((r) => r.patterns),
    [2, 32, 256],
  );
  assert.equal(rows[0].classical, 1); // two patterns in 32 dimensions
  assert.equal(rows[1].classical, 0); // N = D is far beyond the Hebbian capacity (≈ 0.14 D)
  assert.deepEqual(
    rows.map((r) => r.modern[1]),
    [1, 1, 1],
  ); // β = 1: every probe, even with N = 8 D
  assert.equal(rows[2].modern[0], 0); // a tiny β averages 256 patterns: nothing retrieved
});
