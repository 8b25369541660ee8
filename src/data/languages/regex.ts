/**
 * Regular expressions over the alphabet {a, b}, compiled to a minimal complete DFA:
 * parse → Thompson NFA → subset construction → Moore partition refinement.
 *
 * Syntax: the literals `a` and `b`; `[ab]`, `[a]`, `[b]` (character classes over a and b only);
 * `.` and `Σ`, both meaning [ab]; grouping `( )`; alternation `|`; postfix `*`, `+` and `?`;
 * concatenation by juxtaposition. An empty branch (`(a|)`, `()`) is the empty string ε; an
 * entirely empty expression is rejected. Errors are one-line LocalistErrors naming the 0-based
 * position of the offending character, e.g.
 * `invalid regular expression '[ab*': unclosed '[' at position 0`.
 *
 * Symbols are numbered a = 0, b = 1 throughout.
 */
import { LocalistError } from "../../engine/errors.js";

/** The alphabet, in symbol order. */
export const ALPHABET = ["a", "b"] as const;

/** A complete deterministic automaton over {a, b}. */
export interface Dfa {
  /** Number of states, numbered 0 … states − 1. */
  readonly states: number;
  readonly start: number;
  /** accepting[q]: whether state q accepts. */
  readonly accepting: readonly boolean[];
  /** next[2q + s]: the state after reading symbol s (0 = a, 1 = b) in state q. */
  readonly next: Int32Array;
  /** The expression it was compiled from, for messages. */
  readonly pattern?: string;
}

/** The syntax tree of an expression. */
export type RegexNode =
  | { kind: "symbols"; a: boolean; b: boolean }
  | { kind: "empty" }
  | { kind: "concat"; parts: RegexNode[] }
  | { kind: "alt"; options: RegexNode[] }
  | { kind: "star" | "plus" | "optional"; body: RegexNode };

const ANY: RegexNode = { kind: "symbols", a: true, b: true };

/** Parses an expression (see the module comment for the syntax). */
export function parseRegex(pattern: string): RegexNode {
  const chars = Array.from(pattern);
  const fail = (what: string): never => {
    throw new LocalistError(`invalid regular expression '${pattern}': ${what}`);
  };
  if (chars.length === 0) fail("empty expression");
  let pos = 0;

  const parseClass = (): RegexNode => {
    const open = pos;
    const close = chars.indexOf("]", open + 1);
    if (close === -1) fail(`unclosed '[' at position ${open}`);
    if (close === open + 1) fail(`empty class '[]' at position ${open}`);
    const node = { kind: "symbols" as const, a: false, b: false };
    for (let i = open + 1; i < close; i++) {
      if (chars[i] === "a") node.a = true;
      else if (chars[i] === "b") node.b = true;
      else fail(`only a and b may appear inside [ ], got '${chars[i]}' at position ${i}`);
    }
    pos = close + 1;
    return node;
  };

  const parseAtom = (): RegexNode => {
    const c = chars[pos];
    switch (c) {
      case "a":
      case "b":
        pos++;
        return { kind: "symbols", a: c === "a", b: c === "b" };
      case ".":
      case "Σ":
        pos++;
        return ANY;
      case "[":
        return parseClass();
      case "(": {
        const open = pos++;
        const inner = parseAlternation();
        if (chars[pos] !== ")") fail(`unclosed '(' at position ${open}`);
        pos++;
        return inner;
      }
      default:
        return fail(
          `unexpected character '${c}' at position ${pos}; use a, b, Σ, ., [ab], ( ), |, *, + or ?`,
        );
    }
  };

  const parseConcatenation = (): RegexNode => {
    const parts: RegexNode[] = [];
    while (pos < chars.length && chars[pos] !== "|" && chars[pos] !== ")") {
      const c = chars[pos];
      if (c === "*" || c === "+" || c === "?")
        fail(`dangling '${c}' at position ${pos} (nothing before it to repeat)`);
      if (c === "]") fail(`unmatched ']' at position ${pos}`);
      let node = parseAtom();
      for (;;) {
        const op = chars[pos];
        if (op === "*") node = { kind: "star", body: node };
        else if (op === "+") node = { kind: "plus", body: node };
        else if (op === "?") node = { kind: "optional", body: node };
        else break;
        pos++;
      }
      parts.push(node);
    }
    if (parts.length === 0) return { kind: "empty" };
    return parts.length === 1 ? parts[0] : { kind: "concat", parts };
  };

  function parseAlternation(): RegexNode {
    const options = [parseConcatenation()];
    while (chars[pos] === "|") {
      pos++;
      options.push(parseConcatenation());
    }
    return options.length === 1 ? options[0] : { kind: "alt", options };
  }

  const tree = parseAlternation();
  if (pos < chars.length) fail(`unmatched ')' at position ${pos}`);
  return tree;
}

/** A nondeterministic automaton with ε-moves and a single accepting state. */
export interface Nfa {
  start: number;
  accept: number;
  /** epsilon[q]: states reachable from q by one ε-move. */
  epsilon: number[][];
  /** moves[q][s]: states reachable from q by reading symbol s. */
  moves: [number[], number[]][];
}

/** Thompson's construction. */
export function thompson(tree: RegexNode): Nfa {
  const epsilon: number[][] = [];
  const moves: [number[], number[]][] = [];
  const state = () => {
    epsilon.push([]);
    moves.push([[], []]);
    return epsilon.length - 1;
  };
  const build = (node: RegexNode): { start: number; end: number } => {
    const start = state();
    switch (node.kind) {
      case "symbols": {
        const end = state();
        if (node.a) moves[start][0].push(end);
        if (node.b) moves[start][1].push(end);
        return { start, end };
      }
      case "empty": {
        const end = state();
        epsilon[start].push(end);
        return { start, end };
      }
      case "concat": {
        let end = start;
        for (const part of node.parts) {
          const f = build(part);
          epsilon[end].push(f.start);
          end = f.end;
        }
        return { start, end };
      }
      case "alt": {
        const fs = node.options.map(build);
        const end = state();
        for (const f of fs) {
          epsilon[start].push(f.start);
          epsilon[f.end].push(end);
        }
        return { start, end };
      }
      default: {
        const f = build(node.body);
        const end = state();
        epsilon[start].push(f.start);
        epsilon[f.end].push(end);
        if (node.kind !== "plus") epsilon[start].push(end); // zero times
        if (node.kind !== "optional") epsilon[f.end].push(f.start); // again
        return { start, end };
      }
    }
  };
  const { start, end } = build(tree);
  return { start, accept: end, epsilon, moves };
}

/** Subset construction; the result is complete (the empty set is a dead state when reached). */
export function determinize(nfa: Nfa, pattern?: string): Dfa {
  const closure = (seed: Iterable<number>): number[] => {
    const seen = new Set<number>(seed);
    const stack = [...seen];
    while (stack.length > 0) {
      const q = stack.pop() as number;
      for (const r of nfa.epsilon[q]) {
        if (!seen.has(r)) {
          seen.add(r);
          stack.push(r);
        }
      }
    }
    return [...seen].sort((x, y) => x - y);
  };
  const ids = new Map<string, number>();
  const sets: number[][] = [];
  const intern = (set: number[]): number => {
    const key = set.join(",");
    let id = ids.get(key);
    if (id === undefined) {
      id = sets.length;
      ids.set(key, id);
      sets.push(set);
    }
    return id;
  };
  const start = intern(closure([nfa.start]));
  const next: number[] = [];
  for (let q = 0; q < sets.length; q++) {
    for (let s = 0; s < 2; s++) {
      const targets = new Set<number>();
      for (const n of sets[q]) for (const r of nfa.moves[n][s]) targets.add(r);
      next[2 * q + s] = intern(closure(targets));
    }
  }
  return {
    states: sets.length,
    start,
    accepting: sets.map((set) => set.includes(nfa.accept)),
    next: Int32Array.from(next),
    pattern,
  };
}

/**
 * Moore's partition refinement after dropping unreachable states; states are renumbered in
 * breadth-first order from the start (which becomes 0), so equal languages give identical DFAs.
 */
export function minimize(dfa: Dfa): Dfa {
  // Reachable states, breadth-first.
  const order = [dfa.start];
  const seen = new Set(order);
  for (let i = 0; i < order.length; i++) {
    for (let s = 0; s < 2; s++) {
      const r = dfa.next[2 * order[i] + s];
      if (!seen.has(r)) {
        seen.add(r);
        order.push(r);
      }
    }
  }
  let block = new Map<number, number>(order.map((q) => [q, dfa.accepting[q] ? 1 : 0]));
  let count = new Set(block.values()).size;
  for (;;) {
    const signatures = new Map<string, number>();
    const refined = new Map<number, number>();
    for (const q of order) {
      const key = [q, 2 * q, 2 * q + 1]
        .map((x, i) => block.get(i === 0 ? x : dfa.next[x]))
        .join(",");
      let id = signatures.get(key);
      if (id === undefined) {
        id = signatures.size;
        signatures.set(key, id);
      }
      refined.set(q, id);
    }
    block = refined;
    if (signatures.size === count) break;
    count = signatures.size;
  }
  // Renumber blocks breadth-first from the start block.
  const number = new Map<number, number>();
  const representative: number[] = [];
  const queue = [dfa.start];
  number.set(block.get(dfa.start) as number, 0);
  representative.push(dfa.start);
  for (let i = 0; i < queue.length; i++) {
    for (let s = 0; s < 2; s++) {
      const r = dfa.next[2 * queue[i] + s];
      const b = block.get(r) as number;
      if (!number.has(b)) {
        number.set(b, representative.length);
        representative.push(r);
        queue.push(r);
      }
    }
  }
  const next = new Int32Array(2 * representative.length);
  representative.forEach((q, i) => {
    for (let s = 0; s < 2; s++)
      next[2 * i + s] = number.get(block.get(dfa.next[2 * q + s]) as number) as number;
  });
  return {
    states: representative.length,
    start: 0,
    accepting: representative.map((q) => dfa.accepting[q]),
    next,
    pattern: dfa.pattern,
  };
}

/** Parses and compiles an expression to its minimal complete DFA. */
export function compileRegex(pattern: string): Dfa {
  return minimize(determinize(thompson(parseRegex(pattern)), pattern));
}

/** The DFA of the complement language {a, b}* minus L (same states, acceptance flipped). */
export function complement(dfa: Dfa): Dfa {
  return { ...dfa, accepting: dfa.accepting.map((x) => !x) };
}

/** The symbols (0 = a, 1 = b) of a string over {a, b}; throws on any other character. */
export function toSymbols(word: string): Uint8Array {
  const out = new Uint8Array(word.length);
  for (let i = 0; i < word.length; i++) {
    const c = word[i];
    if (c !== "a" && c !== "b")
      throw new LocalistError(`strings must be over {a, b}, got '${c}' at position ${i}`);
    out[i] = c === "a" ? 0 : 1;
  }
  return out;
}

/** Whether the DFA accepts a string over {a, b} (or its symbols). */
export function accepts(dfa: Dfa, word: string | ArrayLike<number>): boolean {
  const symbols = typeof word === "string" ? toSymbols(word) : word;
  let q = dfa.start;
  for (let i = 0; i < symbols.length; i++) q = dfa.next[2 * q + symbols[i]];
  return dfa.accepting[q];
}
