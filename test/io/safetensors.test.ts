import { test } from "node:test";
import assert from "node:assert/strict";
import { LocalistError } from "../../src/engine/errors.js";
import { decodeSafetensors, encodeSafetensors, type HostTensor } from "../../src/io/safetensors.js";

const SOURCE = "checkpoint model.safetensors";

function sample(): Record<string, HostTensor> {
  return {
    "embed.weight": { dtype: "F32", shape: [2, 3], data: Float32Array.from([1, 2, 3, 4, 5, 6.5]) },
    scale: { dtype: "F64", shape: [], data: Float64Array.from([Math.PI]) },
    counts: { dtype: "I32", shape: [3], data: Int32Array.from([-1, 0, 2 ** 31 - 1]) },
    empty: { dtype: "F32", shape: [0, 4], data: new Float32Array(0) },
  };
}

/** A file made by hand from a header object and data bytes. */
function handMade(header: unknown, data: Uint8Array, pad = true): Uint8Array {
  let json = new TextEncoder().encode(typeof header === "string" ? header : JSON.stringify(header));
  if (pad && json.length % 8 !== 0) {
    const padded = new Uint8Array(Math.ceil(json.length / 8) * 8).fill(0x20);
    padded.set(json);
    json = padded;
  }
  const bytes = new Uint8Array(8 + json.length + data.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(json.length), true);
  bytes.set(json, 8);
  bytes.set(data, 8 + json.length);
  return bytes;
}

function expectError(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => decodeSafetensors(bytes, SOURCE),
    (error: unknown) => {
      assert.ok(error instanceof LocalistError, `not a LocalistError: ${String(error)}`);
      assert.match(error.message, pattern);
      assert.ok(error.message.startsWith(`${SOURCE} `), error.message);
      assert.ok(!error.message.includes("\n"), "one line");
      assert.match(error.message, /the file is corrupt, retrain or restore it$/);
      return true;
    },
  );
}

test("encode then decode returns the same tensors and metadata", () => {
  const tensors = sample();
  const bytes = encodeSafetensors(tensors, { format: "localist", step: "12" });
  const decoded = decodeSafetensors(bytes, SOURCE);
  assert.deepEqual(decoded.metadata, { format: "localist", step: "12" });
  assert.deepEqual(Object.keys(decoded.tensors).sort(), Object.keys(tensors).sort());
  for (const [name, tensor] of Object.entries(tensors)) {
    const got = decoded.tensors[name];
    assert.equal(got.dtype, tensor.dtype, name);
    assert.deepEqual(got.shape, tensor.shape, name);
    assert.equal(got.data.constructor, tensor.data.constructor, name);
    assert.deepEqual(Array.from(got.data), Array.from(tensor.data), name);
  }
  assert.equal(decodeSafetensors(encodeSafetensors({}), SOURCE).metadata.format, undefined);
});

test("the layout follows the format: u64 header length, space-padded JSON, little-endian data", () => {
  const bytes = encodeSafetensors({
    x: { dtype: "F32", shape: [2], data: Float32Array.from([1, -2]) },
  });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = Number(view.getBigUint64(0, true));
  assert.equal(headerLength % 8, 0);
  const headerText = new TextDecoder().decode(bytes.subarray(8, 8 + headerLength));
  assert.match(headerText, /^\{.*\} *$/);
  assert.deepEqual(JSON.parse(headerText), {
    x: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
  });
  assert.equal(bytes.length, 8 + headerLength + 8);
  assert.equal(view.getFloat32(8 + headerLength, true), 1);
  assert.equal(view.getFloat32(8 + headerLength + 4, true), -2);
});

test("decoding copies into fresh aligned arrays, also from an unaligned Buffer view", () => {
  const bytes = encodeSafetensors(sample());
  // Place the file at an odd offset inside a larger buffer, like a pooled node Buffer.
  const holder = Buffer.alloc(bytes.length + 3);
  holder.set(bytes, 1);
  const view = holder.subarray(1, 1 + bytes.length);
  const decoded = decodeSafetensors(view, SOURCE);
  const embed = decoded.tensors["embed.weight"].data;
  assert.equal(embed.byteOffset, 0);
  assert.equal(embed.buffer.byteLength, embed.byteLength);
  assert.deepEqual(Array.from(embed), [1, 2, 3, 4, 5, 6.5]);
  holder.fill(0);
  assert.deepEqual(Array.from(embed), [1, 2, 3, 4, 5, 6.5], "no aliasing of the input");
});

test("encoding rejects data that does not match the dtype or shape", () => {
  assert.throws(
    () => encodeSafetensors({ x: { dtype: "F32", shape: [2], data: new Float64Array(2) } }),
    /tensor 'x' is F32 but its data is a Float64Array/,
  );
  assert.throws(
    () => encodeSafetensors({ x: { dtype: "F32", shape: [2, 2], data: new Float32Array(3) } }),
    /tensor 'x' has shape \[2,2\] \(4 elements\) but 3 values/,
  );
  assert.throws(
    () =>
      encodeSafetensors({ __metadata__: { dtype: "F32", shape: [], data: new Float32Array(1) } }),
    LocalistError,
  );
});

test("a truncated file names the bytes the header promises and the bytes present", () => {
  const bytes = encodeSafetensors(sample());
  const dataLength = 24 + 8 + 12;
  expectError(
    bytes.subarray(0, bytes.length - 10),
    new RegExp(
      `is truncated: the header says ${dataLength} bytes of data, the file has ${dataLength - 10};`,
    ),
  );
  expectError(
    bytes.subarray(0, 5),
    /is truncated: it has 5 bytes, fewer than the 8-byte header length/,
  );
  expectError(
    bytes.subarray(0, 20),
    /is truncated: its header length says \d+ bytes but only 12 bytes follow/,
  );
});

test("malformed headers are reported", () => {
  expectError(handMade("{not json", new Uint8Array()), /has a malformed header \(/);
  expectError(handMade("[1,2]", new Uint8Array()), /malformed header: it is not a JSON object/);
  expectError(handMade({ x: 3 }, new Uint8Array()), /tensor 'x' is not an object/);
  expectError(
    handMade({ __metadata__: { a: 1 } }, new Uint8Array()),
    /malformed metadata: 'a' is not a string/,
  );
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 2n ** 63n, true);
  expectError(huge, /is truncated: its header length says 9223372036854775808 bytes/);
});

test("unknown dtypes, bad shapes and size mismatches are reported", () => {
  expectError(
    handMade({ x: { dtype: "BF16", shape: [1], data_offsets: [0, 2] } }, new Uint8Array(2)),
    /tensor 'x' with unknown dtype "BF16" \(supported: F32, F64, I32\)/,
  );
  expectError(
    handMade({ x: { dtype: "F32", shape: [-1], data_offsets: [0, 4] } }, new Uint8Array(4)),
    /tensor 'x' with an invalid shape \[-1\]/,
  );
  expectError(
    handMade({ x: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }, new Uint8Array(8)),
    /tensor 'x' of shape \[3\] F32 needing 12 bytes but data_offsets \[0,8\] give 8/,
  );
  expectError(
    handMade({ x: { dtype: "F32", shape: [1], data_offsets: [4] } }, new Uint8Array(4)),
    /tensor 'x' with invalid data_offsets \[4\]/,
  );
});

test("overlapping, out-of-range, gapped offsets and trailing data are reported", () => {
  const f32 = (begin: number, end: number) => ({
    dtype: "F32",
    shape: [(end - begin) / 4],
    data_offsets: [begin, end],
  });
  expectError(
    handMade({ a: f32(0, 8), b: f32(4, 12) }, new Uint8Array(12)),
    /has overlapping tensors 'a' and 'b'/,
  );
  expectError(
    handMade({ a: f32(0, 8), b: f32(8, 16) }, new Uint8Array(12)),
    /is truncated: the header says 16 bytes of data, the file has 12/,
  );
  expectError(
    handMade({ a: f32(0, 4), b: f32(8, 12) }, new Uint8Array(12)),
    /has a gap of 4 unused bytes before tensor 'b' \(offset 4\)/,
  );
  expectError(
    handMade({ a: f32(0, 4) }, new Uint8Array(12)),
    /has 8 bytes of trailing data after the last tensor/,
  );
  // A valid hand-made file with tensors stored out of header order decodes.
  const data = new Uint8Array(new Float32Array([1, 2]).buffer);
  const decoded = decodeSafetensors(handMade({ b: f32(4, 8), a: f32(0, 4) }, data), SOURCE);
  assert.deepEqual(Array.from(decoded.tensors.a.data), [1]);
  assert.deepEqual(Array.from(decoded.tensors.b.data), [2]);
});
