/**
 * Builds the Locality Lab page (src/lab) into dist/lab, which `localist lab` serves and the npm
 * package ships. A Node-only module reached from the page is a build error, not a page that
 * breaks at run time: the page must import only the browser-safe half of every split module.
 */
import { defineConfig, type Plugin } from "vite";

const browserOnly: Plugin = {
  name: "localist-browser-only",
  enforce: "pre",
  resolveId(id, importer) {
    if (id.startsWith("node:"))
      throw new Error(
        `${importer ?? "?"} imports ${id}: Node-only modules must stay out of the Lab page`,
      );
    return null;
  },
};

export default defineConfig({
  root: "src/lab",
  base: "./",
  logLevel: "warn",
  plugins: [browserOnly],
  // The compute worker is a module worker, so that it can load the tagger as a separate chunk.
  worker: { format: "es", plugins: () => [browserOnly] },
  build: {
    outDir: "../../dist/lab",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      // zod places /* @__PURE__ */ comments where Rollup cannot use them; harmless, and not ours.
      onwarn(warning, warn) {
        if (warning.code !== "INVALID_ANNOTATION") warn(warning);
      },
    },
  },
});
