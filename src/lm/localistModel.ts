/**
 * `LocalistModel`: one trained language model and everything attached to it — architecture,
 * tokenizer, weights, corpus, training settings, and for a localist model its blocks, routing and
 * margin, its anchors — with the operations on it:
 *
 *   open / fromFiles / save       a model folder (Node) or files fetched by the page
 *   train / initialize / resume   a new run from a spec (./trainingSpec.ts), or a saved one (Node)
 *   encode / encodeWithBlocks     text → token ids (and blocks per occurrence), the one place text
 *   / decode / split              becomes tokens; ids → text; the model's own corpus splits
 *   blocksOf / splitBlocks        blocks per occurrence of ids (their text labelled) or of a split
 *   hooks / dial                  the attention hooks at a dial, with rules (./hooks.ts)
 *   evaluate / baselines          perplexity and accuracy; the n-gram baselines beside them
 *   generate / nextTokens         sampling; the next-token distribution at a position
 *   sweep / measure / explain     the locality dial's effect on attention (localist models)
 *   readRules / check             rules compiled for the model; compliance with the certified bound
 *
 * Browser-safe: what needs the file system goes through ./nodeServices.ts, which the Node entry
 * points install. The command line, the Lab, the benchmarks and the tests all use this object.
 */
import { fromHost, np, tree } from "../engine/engine.js";
import { LocalistError } from "../engine/errors.js";
import { tokenizeWords } from "../data/words.js";
import { bigramModel, unigramModel } from "../data/ngram.js";
import type { LmCorpusOptions } from "../data/corpusEntry.js";
import type { AnyTokenizer } from "../data/tokenizer.js";
import type { ModelConfig } from "../model/config.js";
import { generateTokens } from "../model/generate.js";
import { attachHooks, finishAndDiscard, hookInputs, type HookSource } from "../model/hooks.js";
import type { ParamMap } from "../model/params.js";
import { forward } from "../model/transformer.js";
import type { SavedModel, StoredOptimizer } from "../io/modelFiles.js";
import { createProgress } from "../io/progress.js";
import { createEvaluator, evaluateStream, type Evaluation } from "../train/evaluate.js";
import type { TrainSummary } from "../train/languageModel.js";
import type { TrainSettings } from "../train/settings.js";
import type { AnchorsEntry } from "../localist/anchors.js";
import { checkCompliance, type ComplianceReport } from "../localist/compliance.js";
import { dialMatrix, type Schedule } from "../localist/dial.js";
import { explainText, type Explanation } from "../localist/explain.js";
import { measureAttention, type AttentionReport } from "../localist/inspect.js";
import type { RowMetrics } from "../localist/metrics.js";
import type { RuleHook } from "../localist/ruleHook.js";
import { compileRules, parseRuleSpecs, type RuleSet, type RuleSpec } from "../localist/rules.js";
import type { SelectorContext } from "../localist/selectors.js";
import type { LocalistEntry } from "../localist/structure.js";
import { assembleHooks, replaceableRules, type HookSettings } from "./hooks.js";
import { closeModel, loadedModelFrom, type LoadedModel } from "./loadedModel.js";
import {
  ExplainSession,
  topNextTokens,
  type NextToken,
  type SessionSettings,
  type SessionWindow,
} from "./explainSession.js";
import {
  hasNodeServices,
  nodeServices,
  type BlockLabeller,
  type RunOptions,
  type SavedSplits,
} from "./nodeServices.js";
import type { OccurrenceLabeller } from "../data/tokenBlocks.js";
import { ruleRunOptions, selectorContext } from "./ruleContext.js";
import type { SweepOptions, SweepRow } from "./sweep.js";
import type { TrainingSpec } from "./trainingSpec.js";

/** The dial and rules a pass of the model runs with. */
export interface RunSettings {
  /** (L, H) dial of a localist model (default λ = 0); see {@link LocalistModel.dial}. */
  dial?: number[][];
  /** Rules in place. */
  rules?: RuleSet;
}

/** Options of {@link LocalistModel.evaluate}. */
export interface EvaluateOptions extends RunSettings {
  /** The block of every id (blocks per occurrence, e.g. {@link LocalistModel.splitBlocks}). */
  blocks?: Uint8Array;
  /** Windows per batch (default 16). */
  batch?: number;
  /** Window stride S: every scored token has ≥ T − S tokens of context (default T/2). */
  stride?: number;
  /** Evaluate at most this many windows. */
  maxWindows?: number;
  /** Called after each batch. */
  onBatch?: (done: number, total: number) => void;
}

/** Options of {@link LocalistModel.generate}. */
export interface GenerateOptions extends RunSettings {
  /** Tokens to draw. */
  tokens: number;
  /** Sampling temperature (0 = greedy). */
  temperature?: number;
  /** Sample among the k most likely tokens (0 = all). */
  topK?: number;
  seed?: number;
  /** Called with each token as it is drawn. */
  onToken?: (id: number) => void;
  /**
   * Called before each draw with the block of every position the model reads, for a model with
   * blocks per occurrence (the text so far labelled again as it grows).
   */
  onBlocks?: (blocks: Uint8Array) => void;
}

/** Options of {@link LocalistModel.explain}. */
export interface ExplainSettings extends RunSettings {
  /** Layers to show (default all). */
  layers?: number[];
  /** Heads to show (default all). */
  heads?: number[];
  /** Keys listed per row (default 3). */
  top?: number;
  /** δ of the dial threshold λ* (fidelity ≥ 1 − δ; default 0.05). */
  delta?: number;
}

export type { BlockLabeller };

/** A split of the model's corpus. */
export type Split = "train" | "valid" | "test";

/** A trained language model with its hooks, inspection and audit; see the file comment. */
export class LocalistModel implements LoadedModel {
  /** The architecture. */
  readonly config!: Readonly<ModelConfig>;
  /** Text ↔ ids. */
  readonly tokenizer!: AnyTokenizer;
  /** The weights; owned by the model until {@link LocalistModel.dispose}. */
  readonly params!: ParamMap;
  /** Training steps completed. */
  readonly step!: number;
  /** The optimizer state, when opened for resuming. */
  readonly optimizer?: StoredOptimizer;
  /** The checkpoint's other entries, unparsed. */
  readonly entries!: Record<string, unknown>;
  /** The checkpoint folder it was read from. */
  readonly folder?: string;
  /** The model's name in messages: its folder, or what the page called it. */
  readonly dir!: string;
  /** How its corpus and tokenizer were built. */
  readonly corpus!: LmCorpusOptions;
  /** How it was trained. */
  readonly training!: TrainSettings;
  /** The blocks, routing and margin of a localist model. */
  readonly localist?: Readonly<LocalistEntry>;
  /** The anchors of a model trained with them. */
  readonly anchors?: Readonly<AnchorsEntry>;
  #splits?: SavedSplits;
  /** The labeller of blocks per occurrence and its block ids → the model's; null: none. */
  /** The labeller made by the factory last asked for (null: none for this model); see below. */
  #labeller?: {
    make: BlockLabeller;
    found: { labeller: OccurrenceLabeller; toModel: Int32Array } | null;
  };

  private constructor(loaded: LoadedModel) {
    Object.assign(this, loaded);
  }

  /** A model from files already read (the page's fetched or dropped files); takes ownership. */
  static fromFiles(saved: SavedModel, name: string): LocalistModel {
    return new LocalistModel(loadedModelFrom(saved, name));
  }

  /**
   * A model from parts already in memory (a model trained in the page, or one step of a run);
   * takes ownership of its arrays.
   */
  static fromParts(parts: LoadedModel): LocalistModel {
    return new LocalistModel(parts);
  }

  /** Opens the model folder `dir` (Node); one-line errors for anything missing or corrupt. */
  static open(dir: string, options: { withOptimizer?: boolean } = {}): LocalistModel {
    return LocalistModel.fromFiles(nodeServices("opening a model").load(dir, options), dir);
  }

  /**
   * Trains a new model from `spec` into the run folder `options.out` (Node), after the one
   * validator of ./trainingSpec.ts; returns what the run did. Open the result with
   * {@link LocalistModel.open}.
   */
  static async train(spec: TrainingSpec, options: RunOptions): Promise<TrainSummary> {
    return nodeServices("training").train(spec, options);
  }

  /** Writes a new model's initial checkpoint (step 0) without training, e.g. for PyTorch (Node). */
  static async initialize(spec: TrainingSpec, options: RunOptions): Promise<void> {
    return nodeServices("initializing a run").initialize(spec, options);
  }

  /** Continues the run saved in `options.out` with its saved settings, where it stopped (Node). */
  static async resume(options: RunOptions): Promise<TrainSummary> {
    return nodeServices("resuming").resume(options);
  }

  /** Saves the model (and its optimizer state, if opened with it) as a checkpoint in `dir` (Node). */
  save(dir: string): void {
    nodeServices("saving a model").save(dir, this);
  }

  /** Frees the model's arrays; the object is unusable afterwards. */
  dispose(): void {
    closeModel(this);
  }

  /** Whether the model has blocks and so a locality dial. */
  get isLocalist(): boolean {
    return this.localist !== undefined;
  }

  /** The localist structure, or a one-line error naming the model. */
  requireLocalist(): Readonly<LocalistEntry> {
    if (!this.localist)
      throw new LocalistError(
        `${this.dir} was trained without blocks, so it has no dial; train a model with \`localist\``,
      );
    return this.localist;
  }

  /** The (L, H) dial of value λ under a per-layer schedule (docs/math.md#the-locality-dial). */
  dial(value: number, schedule: Schedule = "uniform"): number[][] {
    this.requireLocalist();
    return dialMatrix(value, schedule, this.config.layers, this.config.heads);
  }

  /** The ids of a text: words (lowercased as trained; unknown words are `<unk>`) or characters. */
  encode(text: string): Int32Array {
    const { tokenizer } = this;
    return tokenizer.kind === "word"
      ? tokenizer.encode(tokenizeWords(text))
      : tokenizer.encodeText(text);
  }

  /**
   * The labeller of the model's blocks per occurrence: the tagger for a model trained on a folder
   * prepared with tagger blocks, its lexicon for lexicon blocks; none for other models, a model
   * trained per token or a lexicon model saved without its phrases. Made by `make` when given
   * (the Lab's worker passes the one it imports on demand), else by the Node services; kept for
   * the next call with the same factory (a lexicon's phrases are parsed once, not per keystroke).
   */
  #occurrenceLabeller(
    make?: BlockLabeller,
  ): { labeller: OccurrenceLabeller; toModel: Int32Array } | undefined {
    const factory =
      make ?? (hasNodeServices() ? nodeServices("labelling text").occurrenceLabeller : undefined);
    if (!factory) return undefined;
    if (this.#labeller?.make !== factory) {
      this.#labeller = { make: factory, found: this.#labelWith(factory) };
    }
    return this.#labeller.found ?? undefined;
  }

  #labelWith(factory: BlockLabeller): { labeller: OccurrenceLabeller; toModel: Int32Array } | null {
    const blocks = this.localist?.blocks;
    if (blocks?.kind !== "tokens" || blocks.perToken) return null;
    const labeller = factory(blocks.source, blocks.lexicon, this.tokenizer);
    if (!labeller) return null;
    // The model's block ids, by name (its table was built in the labeller's order; map anyway).
    const toModel = Int32Array.from(labeller.names, (name) => blocks.names.indexOf(name));
    return toModel.includes(-1) ? null : { labeller, toModel };
  }

  /**
   * The ids of a text with the block of every position, for a model whose blocks are per
   * occurrence from a labeller (trained on a folder prepared with tagger or lexicon blocks): each
   * word's class or lexicon phrase in its own sentence, by the labeller `make` builds (on Node:
   * the installed services'; the Lab's worker passes the one it loads on demand). Other models, or
   * none to label with: the ids only, blocks coming from each token.
   */
  encodeWithBlocks(text: string, make?: BlockLabeller): { ids: Int32Array; blocks?: Uint8Array } {
    const found = this.#occurrenceLabeller(make);
    if (!found) return { ids: this.encode(text) };
    const encoded = found.labeller.encode(text);
    return { ids: encoded.ids, blocks: Uint8Array.from(encoded.blocks, (b) => found.toModel[b]) };
  }

  /**
   * The block of every token of a sequence per occurrence, from labelling the text the ids spell
   * (what generation reads as the text grows); undefined for a model without a labeller.
   */
  blocksOf(ids: ArrayLike<number>): Uint8Array | undefined {
    const found = this.#occurrenceLabeller();
    if (!found) return undefined;
    return Uint8Array.from(found.labeller.blocksOf(ids), (b) => found.toModel[b]);
  }

  /** The token strings of ids. */
  decode(ids: ArrayLike<number>): string[] {
    return this.tokenizer.decode(ids);
  }

  /** A split of the model's own corpus, encoded with its tokenizer (Node; read once, kept). */
  split(name: Split): Int32Array {
    this.#splits ??= nodeServices("reading the corpus").splits(this.corpus, this.tokenizer);
    return this.#splits[name];
  }

  /**
   * The block of every token of a split per occurrence, for a model trained on them (a prepared
   * folder with blocks, not per token); undefined otherwise, when each token's block applies.
   */
  splitBlocks(name: Split): Uint8Array | undefined {
    const blocks = this.localist?.blocks;
    if (blocks?.kind !== "tokens" || blocks.perToken) return undefined;
    this.split(name);
    return this.#splits?.blocks?.[name];
  }

  /**
   * Perplexities of n-gram baselines on `ids`, fitted on the model's training split with its
   * vocabulary: add-one unigram, and the bigram interpolated with it at the λ that is best on the
   * validation split (Node: reads the corpus).
   */
  baselines(ids: Int32Array): { unigram: number; bigram: number; bigramLambda: number } {
    const vocab = this.tokenizer.vocabSize;
    const bigram = bigramModel(this.split("train"), vocab, this.split("valid"));
    return {
      unigram: unigramModel(this.split("train"), vocab).perplexity(ids),
      bigram: bigram.perplexity(ids),
      bigramLambda: bigram.lambda ?? 0,
    };
  }

  /** The attention hooks of one pass: the dial, anchors and rules, assembled in ./hooks.ts. */
  hooks(settings: HookSettings = {}): HookSource[] {
    return assembleHooks(this, settings);
  }

  /** A rule hook whose rules can be swapped between passes without recompiling. */
  replaceableRules(initial: RuleSet = []): RuleHook {
    return replaceableRules(this.config, initial);
  }

  /** What a rule of this model may name: its tokens, blocks and anchors. */
  selectorContext(): SelectorContext {
    return selectorContext(this);
  }

  /** Compiles rule specs (built in code, or read by `readRuleSpecs`) for this model. */
  compileRules(specs: readonly RuleSpec[]): RuleSet {
    return compileRules(specs, this.config, this.selectorContext());
  }

  /** Checks and compiles a rules file's parsed JSON for this model; `where` names it in errors. */
  parseRules(value: unknown, where = "rules file"): RuleSet {
    return this.compileRules(parseRuleSpecs(value, where));
  }

  /** Reads a rules file (JSON) and compiles it for this model (Node). */
  readRules(path: string): RuleSet {
    return nodeServices("reading a rules file").readRules(
      path,
      this.config,
      this.selectorContext(),
    );
  }

  /** Perplexity and next-token accuracy over an id stream with the sliding window. */
  async evaluate(ids: Int32Array, options: EvaluateOptions = {}): Promise<Evaluation> {
    const { dial, rules, blocks, ...rest } = options;
    return evaluateStream(this.params, this.config, ids, {
      ...rest,
      ...(blocks ? { blocks } : {}),
      hooks: this.hooks({ dial, rules }),
    });
  }

  /**
   * Continues the prompt (text or ids) by sampled tokens; returns the new ids. A model with blocks
   * per occurrence reads the text so far labelled again before each draw (the last 2T tokens, so a
   * word's sentence is seen from up to T tokens before the window), so each token's block comes
   * from its word in its sentence as the text grows.
   */
  generate(prompt: string | Int32Array, options: GenerateOptions): Int32Array {
    const ids = typeof prompt === "string" ? this.encode(prompt) : prompt;
    if (ids.length === 0)
      throw new LocalistError("the prompt has no tokens; give some text to continue");
    const t = this.config.context;
    const blocksOf = this.#occurrenceLabeller()
      ? (sequence: Int32Array) => {
          const read = Math.min(sequence.length, 2 * t);
          const labelled = this.blocksOf(sequence.subarray(sequence.length - read)) as Uint8Array;
          const window = labelled.subarray(Math.max(0, read - t));
          options.onBlocks?.(window);
          return window;
        }
      : undefined;
    return generateTokens(this.params, this.config, ids, {
      ...(blocksOf ? { blocks: blocksOf } : {}),
      tokens: options.tokens,
      temperature: options.temperature ?? 1,
      topK: options.topK ?? 0,
      seed: options.seed ?? 0,
      onToken: options.onToken,
      hooks: this.hooks({ dial: options.dial, rules: options.rules }),
    });
  }

  /** The k most likely next tokens after `position` of a window of ids, with probabilities. */
  nextTokens(
    ids: Int32Array,
    position: number,
    options: RunSettings & { k?: number } = {},
  ): NextToken[] {
    const t = ids.length;
    const sources = this.hooks({ dial: options.dial, rules: options.rules });
    const hooks = attachHooks(
      sources,
      hookInputs(sources, { tokens: ids, batch: 1, length: t, step: 0 }),
    );
    const logits = forward(tree.ref(this.params), fromHost(ids, [1, t], np.int32), this.config, {
      hooks,
    });
    finishAndDiscard(hooks);
    const row = Float32Array.from(logits.slice(0, position).dataSync() as ArrayLike<number>);
    return topNextTokens(row, (top) => this.tokenizer.decode(top), row.length, 0, options.k);
  }

  /**
   * Attention metrics (entropy, pointer fidelity, certified fidelity; docs/math.md#metrics-and-the-certified-bound)
   * over non-overlapping windows of an id stream at a dial (localist models).
   */
  measure(
    ids: Int32Array,
    dial: number[][],
    options: {
      windows?: number;
      batch?: number;
      rules?: RuleSet;
      /** The block of every id (blocks per occurrence); default each token's block. */
      blocks?: Uint8Array;
      onRow?: (m: RowMetrics) => void;
    } = {},
  ): AttentionReport {
    const structure = this.requireLocalist();
    return measureAttention(this.params, this.config, structure, ids, dial, {
      ...options,
      sources: this.hooks({ dial, rules: options.rules }),
    });
  }

  /** Evaluates and measures the model at each dial value (localist models). */
  async sweep(
    ids: Int32Array,
    dials: readonly number[],
    options: SweepOptions,
  ): Promise<SweepRow[]> {
    const { config, params } = this;
    this.requireLocalist();
    const schedule = options.schedule ?? "uniform";
    let current = dialMatrix(0, schedule, config.layers, config.heads);
    const rules = options.rules ?? [];
    // One compiled evaluator for every dial: the hook reads the current dial when it makes its inputs.
    const evaluator = createEvaluator(config, this.hooks({ dial: () => current, rules }));
    const progress =
      options.progress === null
        ? undefined
        : createProgress({ total: dials.length, label: "sweep", stream: options.progress });
    try {
      const rows: SweepRow[] = [];
      for (const [i, lambda] of dials.entries()) {
        current = dialMatrix(lambda, schedule, config.layers, config.heads);
        const blocks = options.blocks;
        const quality = await evaluateStream(params, config, ids, {
          evaluator,
          maxWindows: options.windows,
          ...(options.batch === undefined ? {} : { batch: options.batch }),
          ...(blocks ? { blocks } : {}),
        });
        const attention = this.measure(ids, current, {
          windows: options.inspectWindows,
          rules,
          ...(blocks ? { blocks } : {}),
        });
        progress?.update(i + 1, { λ: lambda, ppl: quality.perplexity.toFixed(1) });
        rows.push({
          dial: lambda,
          entropy: attention.overall.entropy,
          fidelity: attention.overall.fidelity,
          certifiedFidelity: attention.overall.certifiedFidelity,
          perplexity: quality.perplexity,
          accuracy: quality.accuracy,
          violations: attention.overall.violations,
        });
      }
      progress?.finish();
      return rows;
    } finally {
      evaluator.dispose();
    }
  }

  /**
   * Where each token of a window attends, per layer and head, with each row's metrics and the dial
   * threshold λ* (localist models). Text is encoded; a text longer than the context is refused.
   */
  explain(input: string | Int32Array, options: ExplainSettings = {}): Explanation {
    const structure = this.requireLocalist();
    const { ids, blocks } =
      typeof input === "string" ? this.encodeWithBlocks(input) : { ids: input, blocks: undefined };
    if (ids.length === 0) throw new LocalistError("the text has no tokens; give some words");
    const t = this.config.context;
    if (ids.length > t)
      throw new LocalistError(
        `the text has ${ids.length} tokens, more than the model's context of ${t}; explain at most ${t} tokens at a time`,
      );
    const dial = options.dial ?? this.dial(0);
    return explainText(this.params, this.config, structure, ids, this.decode(ids), {
      dial,
      layers: options.layers,
      heads: options.heads,
      top: options.top ?? 3,
      delta: options.delta ?? 0.05,
      rules: options.rules,
      sources: this.hooks({ dial, rules: options.rules }),
      ...(blocks ? { blocks } : {}),
    });
  }

  /**
   * A session that explains one window at dial after dial, re-running only the layers from the
   * first whose dial changed (./explainSession.ts); the caller disposes it (localist models).
   */
  explainSession(window: SessionWindow, settings: SessionSettings = {}): ExplainSession {
    return new ExplainSession(this, window, settings);
  }

  /**
   * Compliance of the model with `rules` on windows of ids (docs/math.md#the-bound-with-rules):
   * per rule, measured fidelity, the certified bound and the strength that would certify it.
   */
  check(
    rules: RuleSet,
    windows: readonly Int32Array[],
    options: { dial?: number[][]; blocks?: readonly Uint8Array[] } = {},
  ): ComplianceReport {
    const run = ruleRunOptions(this, rules, windows, options.dial);
    return checkCompliance(this.params, this.config, windows, {
      ...run,
      ...(options.blocks ? { blocks: options.blocks } : {}),
    });
  }
}
