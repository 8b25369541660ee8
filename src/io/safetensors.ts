/**
 * A pure-JS reader and writer of the safetensors format (https://github.com/huggingface/safetensors):
 * an 8-byte little-endian u64 header length N, N bytes of UTF-8 JSON header (padded with spaces to
 * a multiple of 8), then the tensors' raw little-endian bytes, each at its `data_offsets` relative
 * to the start of the data section. Only the dtypes localist uses are supported: F32, F64 and I32.
 */
import { LocalistError } from "../engine/errors.js";

/** The element types this reader and writer support. */
export type SafetensorsDtype = "F32" | "F64" | "I32";

/** A tensor on the host: its dtype, its shape and its row-major elements. */
export interface HostTensor {
  dtype: SafetensorsDtype;
  shape: number[];
  data: Float32Array | Float64Array | Int32Array;
}

/** The content of a safetensors file: named tensors and string metadata. */
export interface SafetensorsContent {
  tensors: Record<string, HostTensor>;
  metadata: Record<string, string>;
}

const DTYPES: Record<
  SafetensorsDtype,
  {
    bytes: number;
    create: (buffer: ArrayBuffer) => Float32Array | Float64Array | Int32Array;
    matches: (data: unknown) => boolean;
  }
> = {
  F32: {
    bytes: 4,
    create: (buffer) => new Float32Array(buffer),
    matches: (data) => data instanceof Float32Array,
  },
  F64: {
    bytes: 8,
    create: (buffer) => new Float64Array(buffer),
    matches: (data) => data instanceof Float64Array,
  },
  I32: {
    bytes: 4,
    create: (buffer) => new Int32Array(buffer),
    matches: (data) => data instanceof Int32Array,
  },
};

const METADATA_KEY = "__metadata__";
/** Header size limit, as in the reference implementation: larger headers are corrupt or hostile. */
const MAX_HEADER_BYTES = 100_000_000;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const CORRUPT = "the file is corrupt, retrain or restore it";

function isDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === "string" && Object.prototype.hasOwnProperty.call(DTYPES, value);
}

function formatShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN)
    throw new LocalistError(
      "safetensors files can only be read and written on little-endian hosts",
    );
}

/**
 * The bytes of a safetensors file holding the tensors (in the given order, each right after the
 * previous) and the optional string metadata. Throws a LocalistError for a tensor whose data does
 * not match its dtype or shape.
 */
export function encodeSafetensors(
  tensors: Record<string, HostTensor>,
  metadata?: Record<string, string>,
): Uint8Array {
  requireLittleEndian();
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [key, value] of Object.entries(metadata))
      if (typeof value !== "string")
        throw new LocalistError(`safetensors metadata '${key}' must be a string`);
    header[METADATA_KEY] = { ...metadata };
  }
  const entries = Object.entries(tensors);
  let offset = 0;
  for (const [name, tensor] of entries) {
    if (name === METADATA_KEY)
      throw new LocalistError(`a tensor cannot be named '${METADATA_KEY}' in a safetensors file`);
    if (!isDtype(tensor.dtype))
      throw new LocalistError(`tensor '${name}' has unsupported dtype ${String(tensor.dtype)}`);
    const spec = DTYPES[tensor.dtype];
    if (!spec.matches(tensor.data))
      throw new LocalistError(
        `tensor '${name}' is ${tensor.dtype} but its data is a ${tensor.data.constructor.name}`,
      );
    if (!tensor.shape.every((size) => Number.isInteger(size) && size >= 0))
      throw new LocalistError(
        `tensor '${name}' has an invalid shape ${formatShape(tensor.shape)}: sizes must be integers ≥ 0`,
      );
    if (elementCount(tensor.shape) !== tensor.data.length)
      throw new LocalistError(
        `tensor '${name}' has shape ${formatShape(tensor.shape)} (${elementCount(tensor.shape)} elements) but ${tensor.data.length} values`,
      );
    const end = offset + tensor.data.byteLength;
    header[name] = { dtype: tensor.dtype, shape: [...tensor.shape], data_offsets: [offset, end] };
    offset = end;
  }
  const json = new TextEncoder().encode(JSON.stringify(header));
  const headerLength = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + headerLength + offset);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(headerLength), true);
  bytes.set(json, 8);
  bytes.fill(0x20, 8 + json.length, 8 + headerLength);
  let position = 8 + headerLength;
  for (const [, tensor] of entries) {
    const data = tensor.data;
    bytes.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), position);
    position += data.byteLength;
  }
  return bytes;
}

/** One tensor's header entry, checked. */
interface TensorEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * The tensors and metadata of a safetensors file. `source` names the file in errors (e.g.
 * `checkpoint out/model.safetensors`). Everything is validated; a truncated or corrupt file throws
 * a one-line LocalistError saying what is wrong. Tensor data is copied into fresh typed arrays, so
 * the result never aliases `bytes`.
 */
export function decodeSafetensors(bytes: Uint8Array, source: string): SafetensorsContent {
  requireLittleEndian();
  const fail = (why: string): never => {
    throw new LocalistError(`${source} ${why}; ${CORRUPT}`);
  };
  if (bytes.length < 8)
    fail(`is truncated: it has ${bytes.length} bytes, fewer than the 8-byte header length`);
  const declared = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (declared > BigInt(bytes.length - 8))
    fail(
      `is truncated: its header length says ${declared} bytes but only ${bytes.length - 8} bytes follow`,
    );
  if (declared > BigInt(MAX_HEADER_BYTES))
    fail(`has a header of ${declared} bytes, more than the ${MAX_HEADER_BYTES}-byte limit`);
  const headerLength = Number(declared);
  let header: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(
      bytes.subarray(8, 8 + headerLength),
    );
    header = JSON.parse(text);
  } catch (error) {
    fail(`has a malformed header (${oneLine((error as Error).message)})`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header))
    fail("has a malformed header: it is not a JSON object");
  const record = header as Record<string, unknown>;

  const metadata: Record<string, string> = {};
  const entries: TensorEntry[] = [];
  for (const [name, value] of Object.entries(record)) {
    if (name === METADATA_KEY) {
      if (typeof value !== "object" || value === null || Array.isArray(value))
        fail(`has malformed metadata: '${METADATA_KEY}' is not an object`);
      for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
        if (typeof item !== "string") fail(`has malformed metadata: '${key}' is not a string`);
        Object.defineProperty(metadata, key, { value: item, enumerable: true, writable: true });
      }
      continue;
    }
    entries.push(parseEntry(name, value, fail));
  }

  const dataStart = 8 + headerLength;
  const dataLength = bytes.length - dataStart;
  const needed = entries.reduce((most, entry) => Math.max(most, entry.end), 0);
  if (needed > dataLength)
    fail(`is truncated: the header says ${needed} bytes of data, the file has ${dataLength}`);
  const sorted = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  let previous: TensorEntry | undefined;
  for (const entry of sorted) {
    if (previous && entry.begin < covered)
      fail(`has overlapping tensors '${previous.name}' and '${entry.name}'`);
    if (entry.begin > covered)
      fail(
        `has a gap of ${entry.begin - covered} unused bytes before tensor '${entry.name}' (offset ${covered})`,
      );
    covered = entry.end;
    previous = entry;
  }
  if (covered < dataLength)
    fail(
      `has ${dataLength - covered} bytes of trailing data after the last tensor (tensors cover ${covered} of ${dataLength} bytes)`,
    );

  const tensors: Record<string, HostTensor> = {};
  for (const entry of entries) {
    // Copy into a fresh ArrayBuffer so the typed array is aligned and owns its memory. (Not
    // bytes.slice(): on a node Buffer, slice is a view into a shared, possibly pooled, buffer.)
    const copy = new Uint8Array(bytes.subarray(dataStart + entry.begin, dataStart + entry.end))
      .buffer;
    Object.defineProperty(tensors, entry.name, {
      value: { dtype: entry.dtype, shape: entry.shape, data: DTYPES[entry.dtype].create(copy) },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return { tensors, metadata };
}

/** A header entry checked for dtype, shape and offsets consistent with each other. */
function parseEntry(name: string, value: unknown, fail: (why: string) => never): TensorEntry {
  if (typeof value !== "object" || value === null || Array.isArray(value))
    fail(`has a malformed header: tensor '${name}' is not an object`);
  const { dtype, shape, data_offsets: offsets } = value as Record<string, unknown>;
  if (!isDtype(dtype))
    fail(
      `has tensor '${name}' with unknown dtype ${JSON.stringify(dtype)} (supported: F32, F64, I32)`,
    );
  if (
    !Array.isArray(shape) ||
    !shape.every((size) => Number.isSafeInteger(size) && (size as number) >= 0)
  )
    fail(`has tensor '${name}' with an invalid shape ${JSON.stringify(shape)}`);
  if (
    !Array.isArray(offsets) ||
    offsets.length !== 2 ||
    !offsets.every((offset) => Number.isSafeInteger(offset) && (offset as number) >= 0)
  )
    fail(`has tensor '${name}' with invalid data_offsets ${JSON.stringify(offsets)}`);
  const [begin, end] = offsets as [number, number];
  if (end < begin)
    fail(`has tensor '${name}' with data_offsets [${begin},${end}] that end before they begin`);
  const dims = shape as number[];
  const spec = DTYPES[dtype as SafetensorsDtype];
  const expected = elementCount(dims) * spec.bytes;
  if (end - begin !== expected)
    fail(
      `has tensor '${name}' of shape ${formatShape(dims)} ${dtype as string} needing ${expected} bytes but data_offsets [${begin},${end}] give ${end - begin}`,
    );
  return { name, dtype: dtype as SafetensorsDtype, shape: [...dims], begin, end };
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
