/**
 * When to compile a forward pass with jit. jax-js's compiled programs allocate every intermediate
 * before running any, so under jit the tiles of global attention past one tile
 * (attention/blockedGlobal.ts) would all be alive at once: O(T²) again. Such contexts run op by
 * op instead, in memory linear in T; everything else is compiled.
 */
import { jit } from "../engine/engine.js";
import { tiledGlobalAttention } from "../attention/causal.js";
import { localHeadCount, type ModelConfig } from "./config.js";

type Traceable = Parameters<typeof jit>[0];

/** Whether `config`'s forward pass runs op by op rather than compiled. */
export function runsUncompiled(config: ModelConfig): boolean {
  return localHeadCount(config) < config.heads && tiledGlobalAttention(config.context);
}

/** `jit(fn)`, or `fn` itself (with a no-op dispose) where `runsUncompiled(config)`. */
export function compileForward<F extends Traceable>(
  fn: F,
  config: ModelConfig,
): F & { dispose(): void } {
  if (runsUncompiled(config)) return Object.assign(fn, { dispose: () => {} });
  return jit(fn) as unknown as F & { dispose(): void };
}
