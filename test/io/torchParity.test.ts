/**
 * localist against its PyTorch twin (python/localist_torch) on the same weights, for every
 * attention kind (global, local:3, hybrid:3) and position encoding (none, learned, sinusoidal,
 * rotary), strict and not: logits under the dial, every attention weight, the group-sparsity
 * penalty and the certified leak bound of every row agree to 1e-4. The PyTorch numbers were
 * written once by fixtures/generate_torch_parity.py; this test needs no Python.
 */
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { fromHost, np, toFloat64, tree } from "../../src/engine/engine.js";
import { attachHooks, hookInputs } from "../../src/model/hooks.js";
import { forward } from "../../src/model/transformer.js";
import { dialHook } from "../../src/localist/hook.js";
import { localistMaps, rowOf } from "../../src/localist/inspect.js";
import { LocalistModel } from "../../src/lm/node.js";
import { ready } from "../helpers/arrays.js";

before(() => ready);

const root = fileURLToPath(new URL("../../../fixtures/torch-parity/", import.meta.url));
const cases = JSON.parse(readFileSync(join(root, "cases.json"), "utf8")) as string[];

interface Expected {
  tokens: number[];
  dial: number[][];
  logits: number[];
  weights: number[][][];
  penalty: number;
  leakBounds: (number | null)[][][];
}

function near(actual: number, expected: number, what: string): void {
  assert.ok(
    Math.abs(actual - expected) <= 1e-4 * (1 + Math.abs(expected)),
    `${what}: ${actual} vs ${expected}`,
  );
}

for (const name of cases) {
  test(`PyTorch parity: ${name}`, () => {
    const folder = join(root, name);
    const expected = JSON.parse(readFileSync(join(folder, "expected.json"), "utf8")) as Expected;
    const model = LocalistModel.open(folder);
    const { config, params } = model;
    const localist = model.requireLocalist();
    const ids = Int32Array.from(expected.tokens);
    const t = ids.length;
    const batch = { tokens: ids, batch: 1, length: t, step: 0 };

    const source = dialHook(localist, config, { dial: expected.dial, penalty: 1 });
    const hooks = attachHooks([source], hookInputs([source], batch));
    const logits = toFloat64(
      forward(tree.ref(params), fromHost(ids, [1, t], np.int32), config, { hooks }),
    );
    const terms = hooks.finish?.() ?? [];
    expected.logits.forEach((value, i) => near(logits[i], value, `logit ${i}`));
    assert.equal(terms.length, 1);
    near(toFloat64(terms[0].value)[0], expected.penalty, "penalty");

    const maps = localistMaps(params, config, localist, ids, 1, {
      sources: model.hooks({ dial: expected.dial }),
    });
    for (let l = 0; l < config.layers; l++) {
      for (let h = 0; h < config.heads; h++) {
        expected.weights[l][h].forEach((value, i) =>
          near(maps.weights[l][h][i], value, `weight ${l}.${h}[${i}]`),
        );
        for (let n = 0; n < t; n++) {
          const row = rowOf(maps, config, localist, expected.dial, l, h, 0, n);
          const bound = row && !Number.isNaN(row.leakBound) ? row.leakBound : null;
          const want = expected.leakBounds[l][h][n];
          if (want === null) assert.equal(bound, null, `bound ${l}.${h}[${n}]`);
          else near(bound as number, want, `bound ${l}.${h}[${n}]`);
        }
      }
    }
    model.dispose();
  });
}
