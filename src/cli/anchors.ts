/** `localist anchors`: a model's anchors with their mutual-information scores. */
import { terminalCell } from "../engine/printable.js";
import { listAnchors } from "../lm/anchors.js";
import { LocalistModel } from "../lm/node.js";
import type { Command } from "./command.js";
import { POSITIVE, requireFlag } from "./flags.js";

export const ANCHORS: Command = {
  summary: "a model's anchors, or the top K tokens by mutual information, with scores in bits",
  usage: "localist anchors --model DIR [--k K] [--json]",
  description:
    "Lists the model's anchors with their scores: the mutual information, in bits, between a token's presence among the last T tokens and the next token (or its block, for a localist model), over the training split. With --k, or for a model without token anchors, scores the training split and lists the top K.",
  flags: [
    { name: "model", kind: "string", value: "DIR", help: "a trained model folder (required)" },
    {
      name: "k",
      kind: "integer",
      constraint: POSITIVE,
      help: "score the training split and list the top K (default: the model's own anchors, else 16)",
    },
    { name: "json", kind: "boolean", help: "print JSON instead of a table" },
  ],
  run({ flags }) {
    const dir = requireFlag(flags, "model", "localist anchors");
    const model = LocalistModel.open(dir);
    let listing;
    try {
      listing = listAnchors(model, flags.k as number | undefined);
    } finally {
      model.dispose();
    }
    if (flags.json) return JSON.stringify({ model: dir, ...listing }, null, 2);
    return [
      listing.source,
      "| rank | token | score (bits) |",
      "|---|---|---|",
      ...listing.anchors.map(
        (a) =>
          `| ${a.rank} | ${terminalCell(a.token)} | ${a.bits === undefined ? "—" : a.bits.toFixed(4)} |`,
      ),
    ].join("\n");
  },
};
