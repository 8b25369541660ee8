/**
 * Errors that name the fields of a specification. The library words a message with its own field
 * names (`lower n or testBags`); a front end re-words the same message with its names for them
 * (the command line's flags), so the wording lives in one place and no library text names a flag.
 */
import { LocalistError } from "../engine/errors.js";

/** How a message names a field: the field itself, or a front end's word for it. */
export type FieldNamer = (field: string) => string;

/** A LocalistError whose message names fields, and can be re-worded with other names for them. */
export class FieldError extends LocalistError {
  readonly #compose: (name: FieldNamer) => string;

  constructor(compose: (name: FieldNamer) => string) {
    super(compose((field) => field));
    this.#compose = compose;
  }

  /** The message with every field named by `name`. */
  render(name: FieldNamer): string {
    return this.#compose(name);
  }
}

/** Throws a FieldError worded by `compose` unless `condition` holds. */
export function checkFields(
  condition: unknown,
  compose: (name: FieldNamer) => string,
): asserts condition {
  if (!condition) throw new FieldError(compose);
}
