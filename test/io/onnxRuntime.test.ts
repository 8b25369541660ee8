/**
 * The ONNX export runs: the graphs in fixtures/onnx (python/localist_torch/onnx_export.py, written
 * by fixtures/generate_onnx.py from the torch-parity checkpoints) run under onnxruntime-web's Wasm
 * backend, with no native binary, and their logits equal localist's own forward pass on the same
 * checkpoint to 1e-4 at two dial settings, the dial being a graph input (one graph serves both).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { fromHost, np, toFloat64, tree } from "../../src/engine/engine.js";
import { attachHooks, hookInputs } from "../../src/model/hooks.js";
import { forward } from "../../src/model/transformer.js";
import { LocalistModel } from "../../src/lm/node.js";
import { ready } from "../helpers/arrays.js";

await ready;

const fixtures = fileURLToPath(new URL("../../../fixtures/", import.meta.url));
const TOKENS = [3, 7, 1, 12, 5, 5, 19, 2, 8, 14];
/** Two settings of the (L, H) dial: a mixed one, and the distributed model with one head dialled. */
const DIALS = [
  [
    [0.3, 1.0],
    [0.7, 0.0],
  ],
  [
    [0.0, 0.0],
    [0.0, 0.9],
  ],
];

/** localist's logits (T·V) for the tokens at a dial. */
function localistLogits(folder: string, dial: number[][]): Float64Array {
  const model = LocalistModel.open(folder);
  try {
    const { config, params } = model;
    const ids = Int32Array.from(TOKENS);
    const sources = model.hooks({ dial });
    const hooks = attachHooks(
      sources,
      hookInputs(sources, { tokens: ids, batch: 1, length: ids.length, step: 0 }),
    );
    const logits = toFloat64(
      forward(tree.ref(params), fromHost(ids, [1, ids.length], np.int32), config, { hooks }),
    );
    hooks.finish?.();
    return logits;
  } finally {
    model.dispose();
  }
}

const CASES = ["hybrid-rotary", "local-learned"];

/**
 * localist's logits, computed before onnxruntime-web is loaded: its Emscripten glue changes how
 * WebAssembly memories are made in this process, after which the engine's Wasm module no longer
 * links. (An application that needs both would run them in separate workers.)
 */
const expected = new Map(
  CASES.map((name) => [
    name,
    DIALS.map((dial) => localistLogits(join(fixtures, "torch-parity", name), dial)),
  ]),
);

async function runtime(): Promise<typeof import("onnxruntime-web")> {
  const ort = await import("onnxruntime-web");
  // One thread: the test suite runs files in parallel, and the Wasm backend needs no workers here.
  ort.env.wasm.numThreads = 1;
  return ort;
}

for (const name of CASES) {
  test(`ONNX under onnxruntime-web: ${name} equals localist at two dials`, async (t) => {
    const ort = await runtime();
    const session = await ort.InferenceSession.create(
      readFileSync(join(fixtures, "onnx", `${name}.onnx`)),
      { executionProviders: ["wasm"] },
    );
    try {
      assert.deepEqual(session.inputNames, ["tokens", "dial"]);
      assert.deepEqual(session.outputNames, ["logits"]);
      const outputs: Float32Array[] = [];
      for (const [d, dial] of DIALS.entries()) {
        const result = await session.run({
          tokens: new ort.Tensor("int64", BigInt64Array.from(TOKENS.map(BigInt)), [
            1,
            TOKENS.length,
          ]),
          dial: new ort.Tensor("float32", Float32Array.from(dial.flat()), [
            dial.length,
            dial[0].length,
          ]),
        });
        const logits = result.logits;
        assert.deepEqual(logits.dims, [1, TOKENS.length, 20]);
        const got = logits.data as Float32Array;
        const want = (expected.get(name) as Float64Array[])[d];
        assert.equal(got.length, want.length);
        let worst = 0;
        for (let i = 0; i < want.length; i++)
          worst = Math.max(worst, Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i])));
        assert.ok(worst <= 1e-4, `dial ${JSON.stringify(dial)}: worst relative error ${worst}`);
        t.diagnostic(`dial ${d}: worst error ${worst.toExponential(1)} (relative to 1 + |logit|)`);
        outputs.push(got);
      }
      // The dial is a live input: the two settings give different logits from one graph.
      assert.ok(outputs[0].some((x, i) => Math.abs(x - outputs[1][i]) > 1e-3));
    } finally {
      await session.release();
    }
  });
}
