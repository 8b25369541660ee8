/** `localist export` and `localist import`: a model to the PyTorch twin and back. */
import { exportModel, importModel } from "../lm/exchange.js";
import type { Command } from "./command.js";
import { requireFlag } from "./flags.js";

export const EXPORT: Command = {
  summary:
    "write a model, its tokenizer and its corpus for the PyTorch twin (python/localist_torch)",
  usage: "localist export --model DIR --to torch OUT",
  description:
    "Write the model's current checkpoint into the new run folder OUT, with its corpus splits as token ids\n" +
    "(corpus.safetensors), for training or inference with PyTorch (python -m localist_torch.train OUT).",
  flags: [
    { name: "model", kind: "string", value: "DIR", help: "a trained or initial model (required)" },
    {
      name: "to",
      kind: "string",
      value: "FORMAT",
      choices: ["torch"],
      help: "the target (required)",
    },
  ],
  positionals: ["OUT (the folder to write)"],
  run({ flags, positionals }) {
    const dir = requireFlag(flags, "model", "localist export");
    requireFlag(flags, "to", "localist export");
    const [out] = positionals;
    const { step, tokens } = exportModel(dir, out);
    return `exported ${dir} (step ${step}) and ${tokens} training tokens to ${out}\nnext: torchrun --nproc_per_node 2 -m localist_torch.train ${out}`;
  },
};

export const IMPORT: Command = {
  summary: "read a model trained or written by the PyTorch twin",
  usage: "localist import --from torch DIR --out DIR2",
  description:
    "Check a run folder written by PyTorch (tensor names, shapes, dtypes and values, the config, the tokenizer)\n" +
    "and copy its current checkpoint into the new run folder DIR2 for sweep, explain, eval and generate.",
  flags: [
    {
      name: "from",
      kind: "string",
      value: "FORMAT",
      choices: ["torch"],
      help: "the source (required)",
    },
    {
      name: "out",
      kind: "string",
      value: "DIR2",
      output: "folder",
      help: "the new run folder (required)",
    },
  ],
  positionals: ["DIR (the folder to read)"],
  run({ flags, positionals }) {
    requireFlag(flags, "from", "localist import");
    const out = requireFlag(flags, "out", "localist import");
    const [from] = positionals;
    const { step } = importModel(from, out);
    return `imported ${from} (step ${step}) into ${out}`;
  },
};
