"""The safetensors format, read and written with numpy (no extra dependency).

An 8-byte little-endian header length N, N bytes of JSON header (name → dtype, shape,
data_offsets; optional "__metadata__"), then the raw little-endian tensor bytes.
"""
import json
import struct

import numpy as np

DTYPES = {"F32": np.float32, "F64": np.float64, "I32": np.int32}
NAMES = {np.dtype(np.float32): "F32", np.dtype(np.float64): "F64", np.dtype(np.int32): "I32"}


class SafetensorsError(ValueError):
    """A file that is not valid safetensors (one line, naming the file)."""


def encode(tensors, metadata=None):
    """The bytes of a safetensors file holding `tensors` (name → numpy array) in order."""
    header = {}
    chunks = []
    offset = 0
    for name, array in tensors.items():
        array = np.ascontiguousarray(array)
        if array.dtype not in NAMES:
            raise SafetensorsError(f"tensor {name!r} has unsupported dtype {array.dtype}")
        data = array.astype(array.dtype.newbyteorder("<"), copy=False).tobytes()
        header[name] = {
            "dtype": NAMES[array.dtype],
            "shape": list(array.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    if metadata:
        header["__metadata__"] = {str(k): str(v) for k, v in metadata.items()}
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text + b"".join(chunks)


def decode(data, source="safetensors file"):
    """(tensors: name → numpy array, metadata) from the bytes of a safetensors file."""
    if len(data) < 8:
        raise SafetensorsError(f"{source} is truncated: {len(data)} bytes")
    (length,) = struct.unpack("<Q", data[:8])
    if length > len(data) - 8:
        raise SafetensorsError(f"{source} is truncated: its header says {length} bytes")
    try:
        header = json.loads(data[8 : 8 + length].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise SafetensorsError(f"{source} has a header that is not JSON: {error}") from None
    metadata = header.pop("__metadata__", {})
    body = data[8 + length :]
    tensors = {}
    for name, entry in header.items():
        if entry.get("dtype") not in DTYPES:
            raise SafetensorsError(f"{source}: tensor {name!r} has unsupported dtype {entry.get('dtype')}")
        begin, end = entry["data_offsets"]
        dtype = np.dtype(DTYPES[entry["dtype"]]).newbyteorder("<")
        count = int(np.prod(entry["shape"])) if entry["shape"] else 1
        if end - begin != count * dtype.itemsize or end > len(body):
            raise SafetensorsError(f"{source}: tensor {name!r} has inconsistent offsets")
        tensors[name] = np.frombuffer(body[begin:end], dtype=dtype).reshape(entry["shape"]).astype(
            DTYPES[entry["dtype"]]
        )
    return tensors, metadata
