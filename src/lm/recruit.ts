/**
 * Recruitment wired into training (localist/recruitment.ts): every R steps, read the layer-0 keys
 * from the parameters, find the best split of a block, and when it pays, train on with the new
 * blocks and routing; every check is logged, every split recorded in the checkpoint.
 */
import { toFloat64 } from "../engine/engine.js";
import type { Tokenizer } from "../data/tokenizer.js";
import type { ModelConfig } from "../model/config.js";
import type { HookSource } from "../model/hooks.js";
import type { ParamMap } from "../model/params.js";
import type { Adaptation } from "../train/languageModel.js";
import {
  bestSplit,
  splitBlocks,
  splitRouting,
  tokenKeys,
  type Recruitment,
} from "../localist/recruitment.js";
import { validateLocalistStructure, type LocalistEntry } from "../localist/structure.js";

/** Positions of the training stream the criterion reads (the first ones). */
const SAMPLE_POSITIONS = 200_000;

/** Host copy of a parameter (borrowed). */
function host(params: ParamMap, name: string): Float64Array {
  return toFloat64(params[name].ref);
}

/** The most frequent tokens of a list, as text. */
function examples(ids: number[], frequency: Float64Array, vocabulary: readonly string[]): string[] {
  return [...ids]
    .sort((a, b) => frequency[b] - frequency[a] || a - b)
    .slice(0, 6)
    .map((id) => vocabulary[id]);
}

/**
 * The adaptation of a recruiting run. `hooksFor` builds the run's hooks and checkpoint entries for
 * a localist entry (the dial with the new blocks, the anchors).
 */
export function recruitmentAdapter(
  initial: LocalistEntry,
  config: ModelConfig,
  data: { train: Int32Array; tokenizer: Tokenizer },
  hooksFor: (entry: LocalistEntry) => { hooks: HookSource[]; entries: Record<string, unknown> },
): { every: number; run(params: ParamMap, step: number): Adaptation | undefined } {
  let entry = initial;
  const recruitment = initial.recruitment;
  if (!recruitment) throw new Error("recruitmentAdapter needs an entry with recruitment settings");
  const sample = data.train.subarray(0, SAMPLE_POSITIONS);
  const vocabulary = data.tokenizer.toJSON().tokens;
  const frequency = new Float64Array(config.vocabSize);
  for (const id of sample) frequency[id]++;
  return {
    every: recruitment.every,
    run(params, step) {
      const log = entry.recruitment as NonNullable<LocalistEntry["recruitment"]>;
      if (step <= log.checkedAt) return undefined; // a resumed run: this step was checked
      const { blocks, routing } = entry;
      if (blocks.kind !== "tokens") return undefined;
      const checked = { ...log, checkedAt: step };
      if (blocks.names.length >= log.maxBlocks) {
        entry = { ...entry, recruitment: checked };
        return {
          entries: hooksFor(entry).entries,
          log: {
            recruitment: { split: false, reason: `${log.maxBlocks} blocks, the most allowed` },
          },
        };
      }
      const d = config.dModel;
      const keys = tokenKeys(
        host(params, "tokenEmbedding"),
        host(params, "layers.0.ln1Scale"),
        host(params, "layers.0.ln1Bias"),
        host(params, "layers.0.wk"),
        d,
      );
      const candidate = bestSplit(sample, blocks.tokenBlocks, blocks.names.length, keys, d);
      const criterion = candidate && {
        block: blocks.names[candidate.block],
        gainBits: candidate.gainBits,
        costBits: candidate.costBits,
      };
      if (!candidate || candidate.gainBits <= candidate.costBits) {
        entry = { ...entry, recruitment: checked };
        return {
          entries: hooksFor(entry).entries,
          log: { recruitment: { split: false, ...(criterion ? { best: criterion } : {}) } },
        };
      }
      const split = splitBlocks(blocks, candidate);
      const event: Recruitment = {
        step,
        block: blocks.names[candidate.block],
        into: [split.names[candidate.block], split.names[split.names.length - 1]],
        sizes: [candidate.kept.length, candidate.moved.length],
        gainBits: candidate.gainBits,
        costBits: candidate.costBits,
        examples: [
          examples(candidate.kept, frequency, vocabulary),
          examples(candidate.moved, frequency, vocabulary),
        ],
      };
      const structure = validateLocalistStructure(
        { blocks: split, routing: splitRouting(routing, candidate.block), margin: entry.margin },
        config,
      );
      entry = {
        ...structure,
        ...(entry.training ? { training: entry.training } : {}),
        recruitment: { ...checked, events: [...log.events, event] },
      };
      const next = hooksFor(entry);
      return {
        hooks: next.hooks,
        entries: next.entries,
        log: { recruitment: { split: true, ...event } },
      };
    },
  };
}
