/**
 * The library names a problem by the field in the way, in backquotes (`model.context`); the
 * command line shows the flag that sets it (--context). Fields with no flag keep their name.
 */

/** The flag of each field of a training spec (src/lm/trainingSpec.ts) and the run options. */
export const FIELD_FLAGS: Readonly<Record<string, string>> = {
  out: "out",
  resume: "resume",
  corpus: "corpus",
  "corpus.corpus": "corpus",
  "corpus.tokenizer": "tokenizer",
  "corpus.maxVocab": "vocab",
  "corpus.minCount": "min-count",
  model: "layers, --heads, --d-model, --context, --attention or --pos",
  "model.context": "context",
  "model.layers": "layers",
  "model.heads": "heads",
  "model.dModel": "d-model",
  "model.dMlp": "d-mlp",
  "model.attention": "attention",
  "model.positional": "pos",
  "model.strict": "strict",
  settings: "steps, --batch, --lr, --warmup, --seed, --weight-decay, --clip or --checkpoint-every",
  "settings.steps": "steps",
  "settings.batch": "batch",
  "settings.learningRate": "lr",
  "settings.warmup": "warmup",
  "settings.seed": "seed",
  "settings.weightDecay": "weight-decay",
  "settings.clipNorm": "clip",
  "settings.checkpointEvery": "checkpoint-every",
  localist: "localist",
  "localist.blocks": "blocks",
  "localist.blocksPer": "blocks-per",
  "localist.routing": "routing",
  "localist.margin": "margin",
  "localist.recruit": "recruit",
  "localist.training.penalty": "penalty",
  "localist.training.dial": "dial",
  anchors: "anchors",
  batch: "batch",
  threads: "threads",
  "anchors.count": "anchors",
  "anchors.kind": "anchor-kind",
};

/** A library message in the command line's terms: each `field` it names becomes its --flag. */
export function inFlagTerms(message: string): string {
  return message.replace(/`([A-Za-z][\w.]*)`/g, (whole, field: string) =>
    FIELD_FLAGS[field] === undefined ? whole : `--${FIELD_FLAGS[field]}`,
  );
}
