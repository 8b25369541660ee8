/**
 * A node:test reporter for scripts/test.mjs: the summed duration of each test file's top-level
 * tests, in milliseconds, written as one JSON object { file: ms } when the run ends.
 */
export default async function* fileDurations(source) {
  const byFile = {};
  for await (const event of source) {
    const { type, data } = event;
    if ((type === "test:pass" || type === "test:fail") && data.nesting === 0 && data.file) {
      byFile[data.file] = (byFile[data.file] ?? 0) + (data.details?.duration_ms ?? 0);
    }
  }
  yield JSON.stringify(byFile);
}
