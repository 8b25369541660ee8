"""Export a localist model to ONNX with the locality dial as an input:

    python3 -m localist_torch.onnx_export RUN OUT.onnx

The graph takes `tokens` (1, T) int64 and `dial` (L, H) float32 and returns `logits` (1, T, V);
the block ids and routing are constants of the graph, so the dial still moves the model between
distributed and localist attention at inference. The sequence length T is the model's context
(the position tables are traced as constants). Checked with onnx's model checker when python3-onnx
is installed; test/io/onnxRuntime.test.ts runs such graphs under onnxruntime-web (Wasm) and finds
localist's logits to 1e-4 at two dial settings.
"""
import argparse
import sys

import torch

from . import checkpoint
from .model import LocalistTransformer, local_head_count


class WithDial(torch.nn.Module):
    """The model with the dial bias computed inside the graph from the tokens and a dial input."""

    def __init__(self, model, structure):
        super().__init__()
        self.model = model
        blocks = structure["blocks"]
        if blocks["kind"] != "tokens":
            raise ValueError("ONNX export supports token blocks (a window-block model: give its blocks as tokens)")
        self.register_buffer("token_blocks", torch.tensor(blocks["tokenBlocks"]))
        routing = structure["routing"]
        targets = torch.tensor(routing["targets"], dtype=torch.float32)
        self.register_buffer("targets", targets.reshape(routing["heads"], routing["blocks"], routing["blocks"]))
        self.margin = float(structure["margin"])
        self.local = local_head_count(model.config)

    def forward(self, tokens, dial):
        ids = self.token_blocks[tokens]
        rel = self.targets[:, ids[:, :, None], ids[:, None, :]].permute(1, 0, 2, 3)  # (B, H, T, T)

        def bias(layer):
            full = (rel - 1) * dial[layer][None, :, None, None] * self.margin
            return {"local": full[:, : self.local], "global": full[:, self.local :]}

        return self.model(tokens, bias=bias)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m localist_torch.onnx_export")
    parser.add_argument("run")
    parser.add_argument("out")
    args = parser.parse_args(argv)
    saved = checkpoint.load(args.run)
    config, structure = saved["config"]["model"], saved["config"].get("localist")
    if structure is None:
        print("error: the model has no dial (it was trained without --localist)", file=sys.stderr)
        sys.exit(1)
    module = WithDial(LocalistTransformer(config, saved["weights"]), structure).eval()
    tokens = torch.zeros((1, config["context"]), dtype=torch.int64)
    dial = torch.zeros((config["layers"], config["heads"]))
    torch.onnx.export(module, (tokens, dial), args.out, input_names=["tokens", "dial"], output_names=["logits"], opset_version=14)
    try:
        import onnx

        onnx.checker.check_model(onnx.load(args.out))
        checked = "; onnx checker passed"
    except ImportError:
        checked = ""
    print(f"wrote {args.out} (tokens (1, {config['context']}), dial ({config['layers']}, {config['heads']}) → logits){checked}")


if __name__ == "__main__":
    main()
