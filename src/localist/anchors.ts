/**
 * Anchors (docs/math.md#anchors): keys that every later query may see, like Longformer's global
 * tokens, and that rules can point at (the `anchor` selector). Three kinds, stored as the `anchors`
 * entry of a checkpoint:
 *
 *   tokens  every occurrence of chosen vocabulary tokens: the top K by mutual information
 *           (./mutualInformation.ts) or K drawn at random (a control);
 *   sinks   the first K positions of every window (StreamingLLM's attention sinks).
 *
 * In a local or hybrid model an anchor is visible to every later query of a local head even
 * beyond its window (model/hooks.ts, `visibleKeys`); global heads see it anyway.
 */
import { z } from "zod";
import { fromHost, np, type JaxArray } from "../engine/engine.js";
import type { HookSource } from "../model/hooks.js";

export const ANCHOR_SELECTIONS = ["mutual-information", "random"] as const;

/** The `anchors` entry of a checkpoint. */
export const ANCHORS_ENTRY_SCHEMA = z.discriminatedUnion("kind", [
  z
    .object({
      /** Chosen tokens, visible wherever they occur. */
      kind: z.literal("tokens"),
      /** How they were chosen. */
      selection: z.enum(ANCHOR_SELECTIONS),
      /** What the mutual information was measured against (mutual-information only). */
      target: z.enum(["blocks", "next-token"]).optional(),
      /** The window w of "present in the last w tokens". */
      window: z.number().int().min(1).optional(),
      /** The anchor token ids. */
      tokens: z.array(z.number().int().min(0)).min(1),
      /** Score of each token in bits (mutual-information only). */
      scores: z.array(z.number()).optional(),
    })
    .strict(),
  z
    .object({
      /** Attention sinks: the first `count` positions of every window. */
      kind: z.literal("sinks"),
      /** How many positions. */
      count: z.number().int().min(1),
    })
    .strict(),
]);

/**
 * The `anchors` entry of a checkpoint: chosen tokens (with how they were chosen and their scores in
 * bits) or the first `count` positions (attention sinks), visible to every later query of a local
 * head.
 */
export type AnchorsEntry = z.infer<typeof ANCHORS_ENTRY_SCHEMA>;

/** Checks the entry against the vocabulary; returns it frozen. */
export function validateAnchors(entry: AnchorsEntry, vocabSize: number): Readonly<AnchorsEntry> {
  if (entry.kind === "tokens") {
    const bad = entry.tokens.find((id) => id >= vocabSize);
    if (bad !== undefined)
      throw new RangeError(
        `anchor token id ${bad} is outside the vocabulary of ${vocabSize} tokens`,
      );
    if (entry.scores && entry.scores.length !== entry.tokens.length)
      throw new RangeError(
        `anchors have ${entry.tokens.length} tokens but ${entry.scores.length} scores`,
      );
  }
  return Object.freeze(entry);
}

/** Whether the token at `position` of a window is an anchor. */
export function anchorTest(
  anchors: AnchorsEntry,
): (tokens: ArrayLike<number>, position: number) => boolean {
  if (anchors.kind === "sinks") return (_tokens, p) => p < anchors.count;
  const set = new Set(anchors.tokens);
  return (tokens, p) => set.has(tokens[p]);
}

/** (B·T) 1 where a position of a batch of windows holds an anchor. */
export function anchorFlags(
  anchors: AnchorsEntry,
  tokens: Int32Array,
  batch: number,
): Float32Array {
  const t = tokens.length / batch;
  const test = anchorTest(anchors);
  const flags = new Float32Array(tokens.length);
  for (let b = 0; b < batch; b++) {
    const window = tokens.subarray(b * t, (b + 1) * t);
    for (let p = 0; p < t; p++) if (test(window, p)) flags[b * t + p] = 1;
  }
  return flags;
}

/** Anchors as an attention hook: the keys every later query of a local head may see. */
export function anchorHook(anchors: AnchorsEntry): HookSource<{ visible: JaxArray }> {
  return {
    name: "anchors",
    inputs: ({ tokens, batch, length }) => ({
      visible: fromHost(anchorFlags(anchors, tokens, batch), [batch, length], np.float32), // (B, T)
    }),
    attach: ({ visible }) => ({
      visibleKeys: () => visible.ref,
      finish() {
        visible.dispose();
        return [];
      },
    }),
  };
}
