/**
 * The ladder of src/: each folder may import only from the folders below it. `npm test` runs
 * `npm run check:imports`, which fails on any import that goes the wrong way or in a circle.
 *
 *   api                       the package's entry points (src/index.ts and one file per subpath)
 *   cli  |  lab               the `localist` command: flag specs and calls into the library |
 *                             the Locality Lab page (browser; never imports cli, nor Node modules)
 *   (experiments/)            the papers' experiment drivers, beside src/: the command line runs
 *                             them, the library never imports them
 *   lm  |  distreg            the model object LocalistModel (the one place hooks are assembled,
 *                             the training spec and its validator, runs, rules for a model) |
 *                             distribution regression: the DistributionRegressor, the set models
 *                             behind one interface, data sources and size limits
 *   train  |  localist        the one training loop and evaluation | the dial, blocks, penalty,
 *                             metrics and bound, as attention hooks (never import each other)
 *   io                        safetensors, checkpoints, atomic writes, JSON, CSV, metrics log
 *   model                     transformer, parameters, attention hooks, sampling
 *   attention                 global, chunked local and hybrid attention with a log-bias
 *   classical  |  (attention) Nadaraya–Watson, local polynomial, k-NN, MeanShift, LLE
 *   kernels                   localization kernels as log-weights; the one weighted mean
 *   data                      tokenizers, corpora, n-grams, formal languages
 *   engine                    jax-js set-up, errors, seeded randomness
 */
const lower = [
  "engine",
  "data",
  "kernels",
  "classical",
  "attention",
  "model",
  "io",
  "train",
  "localist",
];
const below = {
  engine: [],
  data: ["engine"],
  kernels: ["engine"],
  classical: ["engine", "kernels"],
  attention: ["engine", "kernels"],
  model: ["engine", "kernels", "attention"],
  io: ["engine", "data", "model"],
  // train and localist sit side by side: neither imports the other.
  train: ["engine", "data", "kernels", "attention", "model", "io"],
  localist: ["engine", "data", "kernels", "attention", "model", "io"],
  // distreg sits above train (it fits set models with it) and beside localist (neither imports the
  // other).
  distreg: ["engine", "data", "kernels", "classical", "attention", "model", "io", "train"],
  // The model object and the services on it (training, the sweep, rules, exchange with PyTorch).
  lm: lower,
  cli: [...lower, "distreg", "lm"],
  // The page sits at the top beside the command line; the Vite build fails on any node: import.
  lab: [...lower, "lm"],
  // The subpath entry files (package.json "exports"): the library's surface, not the front ends.
  api: [...lower, "lm", "distreg"],
};
const folders = Object.keys(below);

module.exports = {
  forbidden: [
    ...folders.map((folder) => ({
      name: `${folder}-imports-only-below`,
      comment: `src/${folder} may import only from ${below[folder].length ? below[folder].join(", ") : "itself"}`,
      severity: "error",
      from: { path: `^src/${folder}/` },
      to: {
        path: "^src/",
        pathNot: [`^src/${folder}/`, ...below[folder].map((f) => `^src/${f}/`)],
      },
    })),
    {
      name: "no-unknown-folder",
      comment: "every source file lives in one of the ladder's folders (or is src/index.ts)",
      severity: "error",
      from: { path: "^src/", pathNot: [`^src/(${folders.join("|")})/`, "^src/index\\.ts$"] },
      to: {},
    },
    {
      name: "nothing-imports-the-public-index",
      comment:
        "src/index.ts and src/api/ are the package's surface, not a shortcut for internal imports",
      severity: "error",
      from: { path: "^src/" },
      to: { path: "^src/(index\\.ts$|api/)" },
    },
    {
      name: "lab-is-browser-code",
      comment:
        "the Lab page runs in a browser: no Node built-in modules (the build checks the whole graph)",
      severity: "error",
      from: { path: "^src/lab/" },
      to: { dependencyTypes: ["core"] },
    },
    {
      name: "experiments-use-the-library-not-its-front-ends",
      comment:
        "experiments/ (the papers' experiment drivers) build on the library; they never import the command line, the page or the public index",
      severity: "error",
      from: { path: "^experiments/" },
      to: { path: "^src/(cli/|lab/|api/|index\\.ts$)" },
    },
    {
      name: "only-the-command-line-runs-experiments",
      comment:
        "the library never imports experiments/; only src/cli does (to run them as commands)",
      severity: "error",
      from: { path: "^src/", pathNot: "^src/cli/" },
      to: { path: "^experiments/" },
    },
    {
      name: "no-circular",
      severity: "error",
      from: { path: "^(src|experiments)/" },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
