/** A small synthetic plain-text corpus for fast language-model tests. */
import { seededRandom } from "./random.js";

const subjects = ["the cat", "a dog", "the bird", "my friend", "the teacher", "a child"];
const verbs = ["sees", "likes", "follows", "finds", "helps", "watches"];
const objects = ["the ball", "a tree", "the house", "the river", "a book", "the garden"];
const endings = ["today", "again", "slowly", "at night", "in the park", "with joy"];

/** `sentences` lines of "subject verb object ending ." drawn with a seed. */
export function syntheticCorpus(sentences: number, seed = 1): string {
  const random = seededRandom(seed);
  const pick = (words: string[]) => words[Math.floor(random() * words.length)];
  return (
    Array.from(
      { length: sentences },
      () => `${pick(subjects)} ${pick(verbs)} ${pick(objects)} ${pick(endings)} .`,
    ).join("\n") + "\n"
  );
}

/** Three blocks over the synthetic corpus's words: function words (and "."), nouns, and the rest. */
export const syntheticBlocks: Record<string, string> = {
  ...Object.fromEntries("the a my in with at .".split(" ").map((w) => [w, "function"])),
  ...Object.fromEntries(
    "cat dog bird friend teacher child ball tree house river book garden park joy night"
      .split(" ")
      .map((w) => [w, "noun"]),
  ),
  ...Object.fromEntries(
    "sees likes follows finds helps watches today again slowly".split(" ").map((w) => [w, "verb"]),
  ),
};
