/**
 * A user's plain-text corpus read as a stream of lines, in bounded memory: files (or the text files
 * of folders) in order, 1 MiB at a time, strictly UTF-8. Every problem is one line naming the file:
 * missing, empty, not text (NUL bytes), not UTF-8 (with the byte offset), a folder with no text.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from "node:fs";
import path from "node:path";
import { check, LocalistError, oneLine } from "../engine/errors.js";

const READ_BYTES = 1 << 20;

/** File names taken from a folder: plain text. */
const TEXT_EXTENSIONS = /\.(?:txt|text|md)$/i;

/** One file of a corpus and its size in bytes. */
export interface CorpusFile {
  file: string;
  bytes: number;
}

/** The text files under a folder, recursively, in path order (hidden files and folders skipped). */
function folderFiles(folder: string): string[] {
  const found: string[] = [];
  const entries = readdirSync(folder, { withFileTypes: true }).sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const full = path.join(folder, entry.name);
    if (entry.isDirectory()) found.push(...folderFiles(full));
    else if (entry.isFile() && TEXT_EXTENSIONS.test(entry.name)) found.push(full);
  }
  return found;
}

/**
 * The files of a corpus given as a comma-separated list of files and folders (a folder stands
 * for its .txt, .text and .md files, recursively); each must exist and be non-empty.
 */
export function resolveCorpusFiles(list: string): CorpusFile[] {
  const items = list
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
  check(items.length > 0, "no corpus files given; give plain-text files or a folder of them");
  const files: CorpusFile[] = [];
  for (const item of items) {
    let stats;
    try {
      stats = statSync(item);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "ENOENT" || code === "ENOTDIR")
        throw new LocalistError(`corpus file ${item} does not exist`);
      throw new LocalistError(`cannot read corpus file ${item}: ${oneLine(error)}`);
    }
    const inside = stats.isDirectory() ? folderFiles(item) : [item];
    check(
      inside.length > 0,
      `corpus folder ${item} holds no text files (.txt, .text, .md); put plain-text files in it`,
    );
    for (const file of inside) {
      const size = statSync(file);
      check(
        size.isFile(),
        `corpus file ${file} is not a regular file (a device, pipe or socket); give a file`,
      );
      check(size.size > 0, `corpus file ${file} is empty; give a file with text, or leave it out`);
      files.push({ file, bytes: size.size });
    }
  }
  return files;
}

const TAB = 9;
const LINE_FEED = 10;
const CARRIAGE_RETURN = 13;
const SPACE = 32;

/** Whether a line holds text: a character other than space, tab, vertical tab and form feed. */
export function isTextLine(line: string): boolean {
  return /[^ \t\v\f]/.test(line);
}

/**
 * The number of lines holding text (isTextLine) in the files, counted on the bytes (fast: no
 * decoding); line breaks \n, \r\n and \r as corpusLines reads them.
 */
export function countTextLines(files: readonly CorpusFile[]): number {
  const buffer = Buffer.alloc(READ_BYTES);
  let lines = 0;
  for (const { file } of files) {
    const fd = openSync(file, "r");
    try {
      let text = false;
      let afterReturn = false;
      for (;;) {
        const count = readSync(fd, buffer, 0, READ_BYTES, null);
        if (count === 0) break;
        for (let i = 0; i < count; i++) {
          const byte = buffer[i];
          if (byte === LINE_FEED || byte === CARRIAGE_RETURN) {
            if (!(byte === LINE_FEED && afterReturn) && text) lines++;
            text = false;
            afterReturn = byte === CARRIAGE_RETURN;
            continue;
          }
          afterReturn = false;
          if (byte !== SPACE && byte !== TAB && byte !== 11 && byte !== 12) text = true;
        }
      }
      if (text) lines++;
    } finally {
      closeSync(fd);
    }
  }
  return lines;
}

/** One line of the corpus (without its line break) and where it starts. */
export interface CorpusLine {
  text: string;
  /** Index of the file in the list. */
  file: number;
  /** Byte offset of the line's start from the start of the whole corpus. */
  offset: number;
  /**
   * True when the line is cut here only to bound memory (a line longer than the cap); the next
   * piece continues it. The cut falls after a whitespace character where there is one.
   */
  continues: boolean;
}

/** Longest piece of one line held at once (UTF-16 code units). */
export const MAX_LINE_UNITS = 1 << 20;

const utf8Length = (text: string) => Buffer.byteLength(text, "utf8");

/**
 * The lines of the files in order, read 1 MiB at a time; `onBytes(total)` after each read (for
 * progress). A line ends at \n, \r\n or \r; a file's last line needs no line break.
 */
export function* corpusLines(
  files: readonly CorpusFile[],
  onBytes?: (bytesRead: number) => void,
): Generator<CorpusLine> {
  let base = 0;
  let bytesRead = 0;
  const buffer = Buffer.alloc(READ_BYTES);
  for (let index = 0; index < files.length; index++) {
    const { file } = files[index];
    const decoder = new TextDecoder("utf-8", { fatal: true });
    let fd: number;
    try {
      fd = openSync(file, "r");
    } catch (error) {
      throw new LocalistError(`cannot read corpus file ${file}: ${oneLine(error)}`);
    }
    try {
      let pending = "";
      let pendingOffset = base;
      let fileBytes = 0;
      let first = true;
      for (;;) {
        const count = readSync(fd, buffer, 0, READ_BYTES, null);
        const chunk = buffer.subarray(0, count);
        const nul = chunk.indexOf(0);
        check(
          nul < 0,
          () =>
            `corpus file ${file} is not plain text (a NUL byte at byte ${fileBytes + nul}); give UTF-8 text`,
        );
        let text: string;
        try {
          text = decoder.decode(chunk, { stream: count > 0 });
        } catch {
          throw new LocalistError(
            `corpus file ${file} is not valid UTF-8 (in bytes ${fileBytes}–${fileBytes + count}); save it as UTF-8 text`,
          );
        }
        fileBytes += count;
        bytesRead += count;
        if (first && text.startsWith("\uFEFF")) {
          text = text.slice(1);
          pendingOffset += 3;
        }
        first = false;
        pending += text;
        // Every complete line; a lone \r at the end may be the first half of \r\n: wait for more.
        let start = 0;
        const lineBreak = /\r\n|\r(?!$)|\n/g;
        if (count === 0) pending = pending.replace(/\r$/, "\n");
        for (const match of pending.matchAll(lineBreak)) {
          const line = pending.slice(start, match.index);
          yield { text: line, file: index, offset: pendingOffset, continues: false };
          pendingOffset += utf8Length(line) + match[0].length;
          start = match.index + match[0].length;
        }
        pending = pending.slice(start);
        while (pending.length > MAX_LINE_UNITS) {
          // A very long line: cut after its last whitespace within the cap (else at the cap,
          // between code points), so memory stays bounded.
          let cut = pending.lastIndexOf(" ", MAX_LINE_UNITS);
          cut = cut > 0 ? cut + 1 : MAX_LINE_UNITS;
          const code = pending.charCodeAt(cut - 1);
          if (code >= 0xd800 && code < 0xdc00) cut--; // keep a surrogate pair whole
          const piece = pending.slice(0, cut);
          yield { text: piece, file: index, offset: pendingOffset, continues: true };
          pendingOffset += utf8Length(piece);
          pending = pending.slice(cut);
        }
        onBytes?.(bytesRead);
        if (count === 0) break;
      }
      if (pending !== "")
        yield { text: pending, file: index, offset: pendingOffset, continues: false };
      base += fileBytes;
    } finally {
      closeSync(fd);
    }
  }
}
