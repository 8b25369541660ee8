/** Counting and sampling: exact counts, uniform draws of each class, balanced datasets, errors. */
import { test } from "node:test";
import assert from "node:assert/strict";
import { accepts, compileRegex, complement } from "../../src/data/languages/regex.js";
import { balancedDataset, countByLength, StringSampler } from "../../src/data/languages/sampler.js";
import { seededUniform } from "../../src/engine/random.js";
import { allStrings, oracle, PATTERNS } from "./oracle.js";

const words = allStrings(10);

test("counts per length equal brute-force counts up to length 10", () => {
  for (const pattern of PATTERNS) {
    const re = oracle(pattern);
    const expected = Array.from({ length: 11 }, () => 0n);
    for (const w of words) if (re.test(w)) expected[w.length]++;
    assert.deepEqual(countByLength(compileRegex(pattern), 10), expected, pattern);
  }
});

test("counts are exact BigInts at length 500", () => {
  const counts = countByLength(compileRegex("Σ*a"), 500);
  assert.equal(counts[500], 2n ** 499n);
  const negatives = countByLength(complement(compileRegex("Σ*aΣ*bΣ*")), 500);
  assert.equal(negatives[500], 501n); // b^i a^(500−i)
});

test("sampled positives are accepted and negatives rejected, by the DFA and by RegExp", () => {
  const uniform = seededUniform(11);
  for (const pattern of PATTERNS) {
    const dfa = compileRegex(pattern);
    const re = oracle(pattern);
    const positive = new StringSampler(dfa, 500);
    const negative = new StringSampler(complement(dfa), 500);
    for (const n of [1, 2, 3, 7, 40, 41, 123, 500]) {
      for (let i = 0; i < 5; i++) {
        if (positive.count(n) > 0n) {
          const s = positive.sample(n, uniform);
          assert.equal(s.length, n);
          assert.ok(accepts(dfa, s) && re.test(s), `${pattern}: positive '${s}'`);
        }
        if (negative.count(n) > 0n) {
          const s = negative.sample(n, uniform);
          assert.equal(s.length, n);
          assert.ok(!accepts(dfa, s) && !re.test(s), `${pattern}: negative '${s}'`);
        }
      }
    }
  }
});

test("draws are uniform over the strings of a class (chi-square)", () => {
  // Σ*aΣ*bΣ* has 11 strings of length 4 and 5 non-strings; 11 000 draws, 10 degrees of freedom:
  // the 0.999 quantile of χ²(10) is 29.6.
  const cases: [StringSampler, number][] = [
    [new StringSampler(compileRegex("Σ*aΣ*bΣ*"), 4), 11],
    [new StringSampler(complement(compileRegex("Σ*aΣ*bΣ*")), 4), 5],
  ];
  const uniform = seededUniform(5);
  for (const [sampler, distinct] of cases) {
    const draws = 1000 * distinct;
    const seen = new Map<string, number>();
    for (let i = 0; i < draws; i++) {
      const s = sampler.sample(4, uniform);
      seen.set(s, (seen.get(s) ?? 0) + 1);
    }
    assert.equal(seen.size, distinct);
    const chi2 = [...seen.values()].reduce((a, c) => a + (c - 1000) ** 2 / 1000, 0);
    assert.ok(chi2 < (distinct === 11 ? 29.6 : 18.5), `χ² = ${chi2}`);
  }
});

test("balancedDataset: labels right, lengths in range, classes balanced, deterministic", () => {
  for (const pattern of ["Σ*a", "Σ*ab", "aΣ*", "Σ*aΣ*bΣ*", "(ab)*", "Σ*abΣ*"]) {
    const dfa = compileRegex(pattern);
    const re = oracle(pattern);
    const options = { minLength: 1, maxLength: 40, count: 4000, seed: 3 };
    const data = balancedDataset(dfa, options);
    assert.equal(data.length, 4000);
    let positives = 0;
    for (const e of data) {
      assert.ok(e.text.length >= 1 && e.text.length <= 40);
      assert.equal(e.label, accepts(dfa, e.text) ? 1 : 0);
      assert.equal(re.test(e.text), e.label === 1);
      positives += e.label;
    }
    // Each label is an independent fair coin: positives ~ Binomial(4000, 1/2), σ ≈ 31.6. The data
    // are seeded (so this cannot flake); 4σ = 126 allows any reasonable seed.
    assert.ok(Math.abs(positives - 2000) <= 126, `${pattern}: ${positives} positives`);
    assert.deepEqual(balancedDataset(dfa, options), data);
    assert.notDeepEqual(balancedDataset(dfa, { ...options, seed: 4 }), data);
  }
});

test("balancedDataset draws another length where a class is empty: (ab)* positives are even", () => {
  const data = balancedDataset(compileRegex("(ab)*"), {
    minLength: 1,
    maxLength: 40,
    count: 2000,
    seed: 9,
  });
  const positiveLengths = new Set(data.filter((e) => e.label === 1).map((e) => e.text.length));
  const negativeLengths = new Set(data.filter((e) => e.label === 0).map((e) => e.text.length));
  assert.deepEqual(
    [...positiveLengths].sort((x, y) => x - y),
    Array.from({ length: 20 }, (_, i) => 2 * (i + 1)),
  );
  assert.equal(negativeLengths.size, 40); // negatives at every length, odd ones included
});

test("balancedDataset with a grid draws only grid lengths", () => {
  const lengths = [41, 92, 143, 500];
  const data = balancedDataset(compileRegex("(ab)*"), {
    minLength: 41,
    maxLength: 500,
    count: 400,
    seed: 1,
    lengths,
  });
  for (const e of data) assert.ok(lengths.includes(e.text.length));
  assert.ok(data.filter((e) => e.label === 1).every((e) => e.text.length % 2 === 0));
});

test("a class empty at every length is a one-line error", () => {
  assert.throws(
    () =>
      balancedDataset(compileRegex("[ab]*"), { minLength: 41, maxLength: 500, count: 10, seed: 1 }),
    {
      message:
        "language '[ab]*' has no negative strings of length 41–500; choose another language or length range",
    },
  );
  assert.throws(
    () => balancedDataset(compileRegex("a|bb"), { minLength: 3, maxLength: 9, count: 10, seed: 1 }),
    {
      message:
        "language 'a|bb' has no positive strings of length 3–9; choose another language or length range",
    },
  );
  assert.throws(
    () => balancedDataset(compileRegex("(ab)*"), { minLength: 5, maxLength: 5, count: 1, seed: 1 }),
    {
      message:
        "language '(ab)*' has no positive strings of length 5; choose another language or length range",
    },
  );
});
