/**
 * Selectors of a rule (docs/math.md#rules): which queries a rule applies to and which keys it
 * points them at, evaluated on the host over a window of token ids x_0 … x_{T−1}.
 *
 *   by token class   block (the model's blocks g), token (exact vocabulary text), regex (over the
 *                    token text), anchor (the model's anchors), all
 *   relative (keys)  previous: n     j ∈ [i − n, i − 1]
 *                    offset: d       j = i + d   (d ≤ 0)
 *                    same-token      j < i and x_j = x_i
 *                    after-earlier   0 < j ≤ i and x_{j−1} = x_i with j − 1 < i (induction: the
 *                                    token after an earlier occurrence of the query's token)
 *
 * A selector is checked against the model once, when the rules are compiled: an unknown block or
 * token, a regular expression that does not compile or matches no vocabulary token, and a relative
 * selector used for queries are one-line errors naming the rule. Regular expressions use RE2's
 * syntax and are matched in linear time (./ruleRegex.ts).
 */
import { z } from "zod";
import { LocalistError } from "../engine/errors.js";
import { printable } from "../engine/printable.js";
import { compileRuleRegex } from "./ruleRegex.js";

const names = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** Each form of a selector, by its one field. */
export const SELECTOR_FORMS = {
  block: z
    .object({
      /** Tokens of these blocks of the model (by block name). */
      block: names,
    })
    .strict(),
  token: z
    .object({
      /** Tokens whose vocabulary text is exactly one of these. */
      token: names,
    })
    .strict(),
  regex: z
    .object({
      /** Tokens whose text this regular expression (RE2 syntax) matches. */
      regex: z.string().min(1),
    })
    .strict(),
  anchor: z
    .object({
      /** The model's anchors. */
      anchor: z.literal(true),
    })
    .strict(),
  all: z
    .object({
      /** Every token. */
      all: z.literal(true),
    })
    .strict(),
  previous: z
    .object({
      /** Keys only: the n positions before the query, j ∈ [i − n, i − 1]. */
      previous: z.number().int().min(1).max(1_000_000),
    })
    .strict(),
  offset: z
    .object({
      /** Keys only: the one position j = i + d, d ≤ 0. */
      offset: z.number().int().min(-1_000_000).max(0),
    })
    .strict(),
  relation: z
    .object({
      /**
       * Keys only: earlier occurrences of the query's token ("same-token"), or the tokens right
       * after them ("after-earlier": induction).
       */
      relation: z.enum(["same-token", "after-earlier"]),
    })
    .strict(),
};

/** A selector as written in a rules file: exactly one of these forms. */
export const SELECTOR_SCHEMA = z.union(Object.values(SELECTOR_FORMS));

export type SelectorSpec = z.infer<typeof SELECTOR_SCHEMA>;

/** Why a raw selector is not of one known form, or undefined when it is (its value is checked by the schema). */
export function selectorShapeProblem(raw: unknown): string | undefined {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return undefined;
  const keys = Object.keys(raw);
  const forms = Object.keys(SELECTOR_FORMS);
  if (keys.length === 1 && forms.includes(keys[0])) return undefined;
  const found = keys.length === 0 ? "nothing" : keys.map((k) => `'${k}'`).join(", ");
  return `must have exactly one of ${forms.join(", ")}, got ${found}`;
}

/** What a selector may refer to in the model it is compiled for. */
export interface SelectorContext {
  /** Token text by id. */
  vocabulary: readonly string[];
  /** The model's blocks: names, and the block of a token at a position (absent for a plain model). */
  blocks?: {
    /** The blocks' names, by block index. */
    names: readonly string[];
    /**
     * The block index of `token` at `position`; `given` is the position's own block when the text
     * carries blocks per occurrence (the model decides whether it reads them).
     */
    of(token: number, position: number, given?: number): number;
  };
  /** Whether the token at a position is one of the model's anchors (absent: the model has none). */
  anchor?: (tokens: ArrayLike<number>, position: number) => boolean;
}

/** A compiled selector over one window `tokens` (length T). */
export type Selector =
  | {
      /** Decided by the token at one position. */
      kind: "unary";
      /**
       * Whether the token at `position` of the window is selected; `blocks` are the window's
       * blocks per occurrence, when it has them.
       */
      test(tokens: ArrayLike<number>, position: number, blocks?: ArrayLike<number>): boolean;
    }
  | {
      /** Decided by the query's and the key's positions together. */
      kind: "relative";
      /** Whether the pair (query position, key position) of the window is selected. */
      test(tokens: ArrayLike<number>, query: number, key: number): boolean;
    };

function list(value: string | string[]): string[] {
  return typeof value === "string" ? [value] : value;
}

/** A table over the vocabulary as a unary selector. */
function vocabularySelector(table: Uint8Array): Selector {
  return { kind: "unary", test: (tokens, p) => table[tokens[p]] === 1 };
}

/** Compiles a selector; `rule` (e.g. "rules file r.json: rule 'x'") and `role` name it in errors. */
export function compileSelector(
  spec: SelectorSpec,
  context: SelectorContext,
  role: "query" | "key",
  rule: string,
): Selector {
  const where = `${rule}, ${role} selector`;
  const { vocabulary } = context;
  if ("all" in spec) return { kind: "unary", test: () => true };
  if ("block" in spec) {
    const blocks = context.blocks;
    if (!blocks)
      throw new LocalistError(
        `${where}: selects by block, but the model has no blocks (train it as a localist model)`,
      );
    const wanted = new Set(
      list(spec.block).map((name) => {
        const at = blocks.names.indexOf(name);
        if (at < 0)
          throw new LocalistError(
            `${where}: unknown block '${printable(name)}'; the blocks are ${blocks.names.join(", ")}`,
          );
        return at;
      }),
    );
    return {
      kind: "unary",
      test: (tokens, p, given) => wanted.has(blocks.of(tokens[p], p, given?.[p])),
    };
  }
  if ("token" in spec) {
    const table = new Uint8Array(vocabulary.length);
    for (const text of list(spec.token)) {
      const id = vocabulary.indexOf(text);
      if (id < 0)
        throw new LocalistError(
          `${where}: token '${printable(text)}' is not in the model's vocabulary of ${vocabulary.length} tokens`,
        );
      table[id] = 1;
    }
    return vocabularySelector(table);
  }
  if ("regex" in spec) {
    const pattern = compileRuleRegex(spec.regex, where);
    const table = Uint8Array.from(vocabulary, (text) => (pattern.test(text) ? 1 : 0));
    if (!table.includes(1))
      throw new LocalistError(
        `${where}: /${printable(spec.regex)}/ matches no token of the model's vocabulary`,
      );
    return vocabularySelector(table);
  }
  if ("anchor" in spec) {
    const anchor = context.anchor;
    if (!anchor)
      throw new LocalistError(
        `${where}: selects anchors, but the model has none (train it with \`anchors.count\` K)`,
      );
    return { kind: "unary", test: anchor };
  }
  if (role === "query")
    throw new LocalistError(
      `${where}: ${Object.keys(spec)[0]} selects keys relative to a query; a query selector must be a block, token, regex, anchor or all`,
    );
  if ("previous" in spec) {
    const n = spec.previous;
    return { kind: "relative", test: (_tokens, i, j) => j < i && j >= i - n };
  }
  if ("offset" in spec) {
    const d = spec.offset;
    return { kind: "relative", test: (_tokens, i, j) => j === i + d };
  }
  if (spec.relation === "same-token")
    return { kind: "relative", test: (tokens, i, j) => j < i && tokens[j] === tokens[i] };
  return {
    kind: "relative",
    test: (tokens, i, j) => j >= 1 && j <= i && tokens[j - 1] === tokens[i] && j - 1 < i,
  };
}

/**
 * Whether key j is selected for query i (j ≤ i; the attention's own mask applies on top), in a
 * window with its blocks per occurrence when it has them.
 */
export function selects(
  selector: Selector,
  tokens: ArrayLike<number>,
  query: number,
  key: number,
  blocks?: ArrayLike<number>,
): boolean {
  return selector.kind === "unary"
    ? selector.test(tokens, key, blocks)
    : selector.test(tokens, query, key);
}
