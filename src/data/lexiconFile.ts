/**
 * Reading a lexicon file (./lexicon.ts): JSON `{"block": ["word", "multi word phrase", …], …}` or
 * CSV lines `block,phrase` (an optional `block,phrase` header; quotes as in RFC 4180). Apart from
 * the lexicon itself because the CSV parser needs Node's Buffer, which the page lacks: the Lab's
 * worker matches stored lexicons without ever loading this module.
 */
import { csvRows } from "../engine/csvRows.js";
import { check, LocalistError } from "../engine/errors.js";
import {
  jsonLexiconEntries,
  lexiconFromEntries,
  type Lexicon,
  type LexiconFallback,
} from "./lexicon.js";

/**
 * Parses a lexicon's text (JSON when it starts with `{`, else CSV). Errors are one line: an empty
 * file, a block named twice, a phrase in two blocks, a phrase with no words, too many blocks.
 */
export function parseLexicon(
  text: string,
  name: string,
  fallback: LexiconFallback = "tagger",
): Lexicon {
  const body = text.replace(/^\uFEFF/, "").trim();
  check(
    body !== "",
    `lexicon ${name} is empty; give {"block": ["word", "multi word phrase"]} or block,phrase lines`,
  );
  const entries = body.startsWith("{") ? jsonLexiconEntries(body, name) : csvEntries(body, name);
  return lexiconFromEntries(entries, name, fallback);
}

/** (block, phrase) pairs of a CSV lexicon, with one-line errors naming the line. */
function csvEntries(text: string, name: string): [string, string][] {
  let rows: string[][];
  try {
    rows = csvRows(text);
  } catch (error) {
    throw new LocalistError(`lexicon ${name} is not valid CSV (${(error as Error).message})`);
  }
  if (rows.length > 0 && rows[0][0] === "block" && rows[0][1] === "phrase") rows = rows.slice(1);
  return rows.map((row, i) => {
    check(
      row.length === 2 && row[0] !== "" && row[1] !== "",
      () =>
        `lexicon ${name}: line ${i + 1} must be block,phrase (two cells), got ${JSON.stringify(row.join(","))}`,
    );
    return [row[0], row[1]];
  });
}
