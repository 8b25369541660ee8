"""localist_torch: the localist transformer in PyTorch.

The same model as the TypeScript package (global, chunked local and hybrid attention; none,
learned, sinusoidal and rotary positions; strict masking; a tied output head), the locality dial
as an additive log-bias, the group-sparsity penalty, the attention metrics and the certified
bound, reading and writing the same run folders (checkpoint pointer, checkpoint folders with
config.json, tokenizer.json and safetensors weights). See python/README.md.
"""

__version__ = "0.2.0"
