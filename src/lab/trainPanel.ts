/**
 * The page's training panel: a small model on the Brown sample or on pasted text, trained in the
 * compute worker, with the loss curve and the sweep of the dial redrawn as it trains; when it is
 * done the page inspects it.
 */
import type { Compute } from "./compute.js";
import type { ModelInfo, TrainingChoice } from "./protocol.js";

export interface TrainPanel {
  compute: Compute;
  /** Shows the trained model, which the worker now uses. */
  inspect(model: ModelInfo): void;
  showMessage(text: string): void;
}

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

export function wireTrainPanel(panel: TrainPanel): void {
  const button = element<HTMLButtonElement>("train");
  const status = element("train-status");
  button.onclick = async () => {
    const chosen = document.querySelector<HTMLInputElement>(
      "input[name=train-source]:checked",
    )?.value;
    const steps = Math.max(
      10,
      Math.min(5000, Math.floor(Number(element<HTMLInputElement>("train-steps").value) || 200)),
    );
    const source: TrainingChoice =
      chosen === "text"
        ? { kind: "text", text: element<HTMLTextAreaElement>("train-text").value }
        : { kind: "brown" };
    button.disabled = true;
    const began = performance.now();
    panel.compute.onProgress = (progress) => {
      status.textContent = `step ${progress.step} of ${progress.steps}, loss ${progress.lastLoss.toFixed(3)}, ${((performance.now() - began) / 1000).toFixed(1)} s`;
      status.dataset.step = String(progress.step);
      status.dataset.firstLoss = String(progress.firstLoss);
      status.dataset.lastLoss = String(progress.lastLoss);
      element("train-loss").innerHTML = progress.lossSvg;
      element("train-sweep").innerHTML = progress.sweepSvg;
    };
    try {
      const model = await panel.compute.ask("train", { source, steps });
      status.textContent += " — done; the page now shows this model";
      status.dataset.done = "true";
      panel.inspect(model);
    } catch (error) {
      panel.showMessage(error instanceof Error ? error.message.split("\n")[0] : String(error));
    } finally {
      button.disabled = false;
    }
  };
}
