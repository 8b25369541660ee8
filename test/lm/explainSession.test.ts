/**
 * The explain session re-runs only the layers from the first whose dial changed: its explanation
 * and logits equal a full pass's (a new session, and `LocalistModel.explain` / `nextTokens`) to
 * float tolerance, it counts the layers it ran, and it leaves no array behind.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { initEngine, LocalistModel } from "../../src/index.js";
import { firstChangedLayer, paddedLength, topNextTokens } from "../../src/lm/explainSession.js";
import type { Explanation } from "../../src/localist/explain.js";
import { LAB_MODEL } from "../helpers/lab.js";

let model: LocalistModel;
const TEXT = "the man said that the people of the state would work for the new school";

before(async () => {
  await initEngine({ threads: 1 });
  model = LocalistModel.open(LAB_MODEL);
});
after(() => model?.dispose());

function assertSameExplanation(got: Explanation, want: Explanation, where: string): void {
  assert.equal(got.heads.length, want.heads.length, where);
  got.heads.forEach((head, i) => {
    const other = want.heads[i];
    const at = `${where}: layer ${head.layer} head ${head.head}`;
    assert.equal(head.layer, other.layer, at);
    assert.equal(head.head, other.head, at);
    assert.equal(head.dial, other.dial, at);
    for (const key of ["entropy", "fidelity", "certifiedFidelity", "threshold"] as const)
      assert.ok(
        Math.abs(head[key] - other[key]) < 1e-5,
        `${at}: ${key} ${head[key]} vs ${other[key]}`,
      );
    let largest = 0;
    head.weights.forEach((w, j) => (largest = Math.max(largest, Math.abs(w - other.weights[j]))));
    assert.ok(largest < 1e-6, `${at}: weights differ by ${largest}`);
    assert.deepEqual(
      head.rows.map((r) => r.top.map((k) => k.token)),
      other.rows.map((r) => r.top.map((k) => k.token)),
      at,
    );
  });
}

test("moving one head's dial re-runs from its layer, and equals a full pass", () => {
  const ids = model.encode(TEXT);
  const window = { ids, texts: model.decode(ids) };
  const { layers } = model.config;
  assert.ok(layers >= 2, "the test needs a model of two layers or more");
  const session = model.explainSession(window);
  try {
    const first = session.explain(model.dial(0.3));
    assert.equal(first.layersRun, layers, "the first pass runs every layer");

    const moved = model.dial(0.3);
    moved[layers - 1][1] = 0.9;
    const partial = session.explain(moved);
    assert.equal(partial.layersRun, 1, "a head of the last layer re-runs that layer only");
    const full = model.explainSession(window);
    try {
      const reference = full.explain(moved);
      assert.equal(reference.layersRun, layers);
      assertSameExplanation(partial.explanation, reference.explanation, "last layer moved");
      let largest = 0;
      partial.logits.forEach(
        (x, j) => (largest = Math.max(largest, Math.abs(x - reference.logits[j]))),
      );
      assert.ok(largest < 1e-4, `logits differ by ${largest}`);
    } finally {
      full.dispose();
    }
    // The model object's own explain and next-token distribution, on the same dial.
    assertSameExplanation(partial.explanation, model.explain(ids, { dial: moved }), "explain");
    const position = ids.length - 1;
    const expected = model.nextTokens(ids, position, { dial: moved, k: 5 });
    const shown = topNextTokens(
      partial.logits,
      (top) => model.tokenizer.decode(top),
      model.config.vocabSize,
      position,
      5,
    );
    assert.deepEqual(
      shown.map((x) => x.token),
      expected.map((x) => x.token),
    );
    shown.forEach((x, i) => assert.ok(Math.abs(x.probability - expected[i].probability) < 1e-5));

    const early = model.dial(0.3);
    early[layers - 1][1] = 0.9;
    early[0][0] = 0.7;
    const again = session.explain(early);
    assert.equal(again.layersRun, layers, "a head of the first layer re-runs every layer");
    assertSameExplanation(
      again.explanation,
      model.explain(ids, { dial: early }),
      "first layer moved",
    );
    assert.equal(session.explain(early).layersRun, 0, "the same dial runs nothing");
  } finally {
    session.dispose();
  }
});

test("firstChangedLayer finds the first differing row", () => {
  assert.equal(
    firstChangedLayer(
      [
        [0, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 1],
      ],
      2,
    ),
    1,
  );
  assert.equal(
    firstChangedLayer(
      [
        [0, 0],
        [0, 0],
      ],
      [
        [0.5, 0],
        [0, 1],
      ],
      2,
    ),
    0,
  );
  assert.equal(
    firstChangedLayer(
      [
        [0, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [0, 0],
      ],
      2,
    ),
    2,
  );
});

test("a session runs its window padded to a multiple of 32 and reports the window alone, rules included", () => {
  const rules = model.parseRules(
    {
      rules: [
        // In one head only: a crop that mixed up the (layer, head) blocks of the bias would show.
        {
          id: "r",
          query: { block: "verb" },
          key: { block: "noun" },
          heads: [[1, 1]],
          alpha: 0.01,
          minFidelity: 0.9,
        },
      ],
    },
    "rules",
  );
  for (const words of [1, 7, 15]) {
    const ids = model.encode(TEXT.split(" ").slice(0, words).join(" "));
    assert.ok(paddedLength(ids.length, model.config.context) > ids.length, "the window is padded");
    const session = model.explainSession({ ids, texts: model.decode(ids) }, { rules });
    try {
      const dial = model.dial(0.6);
      const pass = session.explain(dial);
      assertSameExplanation(
        pass.explanation,
        model.explain(ids, { dial, rules }),
        `${words} words`,
      );
      assert.equal(pass.logits.length, ids.length * model.config.vocabSize);
      assert.equal(pass.explanation.tokens.length, ids.length);
    } finally {
      session.dispose();
    }
  }
});
