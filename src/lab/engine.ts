/**
 * The page's engine: jax-js on WebGPU where the browser has it and it computes correctly here,
 * else Wasm (single-threaded: the library reads results synchronously on the page's thread). The
 * choice is shown in the page; `?engine=wasm` in the URL forces Wasm.
 */
import { defaultDevice, init } from "@jax-js/jax";
import { initEngine, np } from "../engine/engine.js";

/** Starts the engine; returns a description for the page, e.g. "Wasm (no WebGPU in this browser)". */
export async function startEngine(force?: string): Promise<string> {
  await initEngine({ threads: 1 });
  const gpu = (navigator as Navigator & { gpu?: unknown }).gpu;
  if (force === "wasm") return "Wasm (chosen in the URL)";
  if (!gpu) return "Wasm (this browser has no WebGPU)";
  try {
    const devices = await init("webgpu");
    if (!devices.includes("webgpu")) return "Wasm (WebGPU did not start here)";
    defaultDevice("webgpu");
    // The library reads results synchronously; check that this device can, on a small sum.
    const probe = np.array([1, 2, 3], { dtype: np.float32 }).sum().dataSync() as ArrayLike<number>;
    if (probe[0] !== 6) throw new Error("wrong result");
    return "WebGPU";
  } catch (error) {
    defaultDevice("wasm");
    return `Wasm (WebGPU failed: ${(error as Error).message.split("\n")[0]})`;
  }
}
