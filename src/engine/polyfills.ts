/**
 * What `@jax-js/jax` expects of the JavaScript runtime, for Node 20:
 * - iterator helpers (`Iterator.prototype.map`, …), used by its `einsum`: installed by core-js
 *   only where missing (Node ≥ 22 has them);
 * - a global `Float16Array`, which its array constructor tests with `instanceof`. Node 20 has
 *   none; a stand-in keeps those tests false and says clearly that float16 arrays need Node ≥ 24.
 */
import "core-js/actual/iterator/index.js";

const runtime = globalThis as { Float16Array?: unknown };
if (runtime.Float16Array === undefined) {
  runtime.Float16Array = class Float16ArrayUnavailable {
    constructor() {
      throw new Error("float16 arrays need a runtime with Float16Array (Node ≥ 24)");
    }
  };
}
