/**
 * The page's training panel: a small model on the Brown sample or on pasted text, with the loss
 * curve and the sweep of the dial redrawn as it trains; when it is done the page inspects it.
 */
import { lineChart } from "../io/lineChart.js";
import type { LocalistModel } from "../lm/localistModel.js";
import { textWindow } from "./analysis.js";
import { brownSample } from "./brownSample.js";
import { sweepChart } from "./sweepChart.js";
import { trainInPage, type TrainingSource } from "./training.js";

export interface TrainPanel {
  /** Hands the trained model to the page (which then owns it). */
  inspect(model: LocalistModel): void;
  showMessage(text: string): void;
}

const SWEEP_DIALS = [0, 0.2, 0.4, 0.6, 0.8, 1];

function element<T extends HTMLElement = HTMLElement>(id: string): T {
  return document.getElementById(id) as T;
}

/** Entropy and the fidelities at each dial on the first window of `text`. Borrows the model. */
function sweepSvg(model: LocalistModel, text: string, step: number): string {
  return sweepChart(model, textWindow(model, text), {
    dials: SWEEP_DIALS,
    schedule: "uniform",
    rules: [],
    title: `sweep at step ${step}`,
    width: 480,
    height: 300,
  });
}

/** The loss curve, as at most 20 points (the mean loss of each stretch of steps). */
function lossSvg(losses: number[]): string {
  const stretch = Math.max(1, Math.ceil(losses.length / 20));
  const xs: number[] = [];
  const means: number[] = [];
  for (let i = 0; i < losses.length; i += stretch) {
    const part = losses.slice(i, i + stretch);
    xs.push(i + part.length);
    means.push(part.reduce((a, b) => a + b, 0) / part.length);
  }
  if (xs.length === 1) {
    xs.unshift(0);
    means.unshift(means[0]);
  }
  return lineChart(xs, [{ name: "training loss", values: means, axis: "left", color: "#333" }], {
    title: "training loss (cross-entropy + penalty)",
    xLabel: "step",
    leftLabel: "loss",
    rightLabel: "",
    width: 480,
    height: 300,
  });
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
    let source: TrainingSource;
    let sample: string;
    if (chosen === "text") {
      const text = element<HTMLTextAreaElement>("train-text").value;
      source = { kind: "text", text };
      sample = text;
    } else {
      const documents = brownSample();
      source = { kind: "brown", documents };
      sample = documents[0].sentences
        .slice(0, 4)
        .flatMap((s) => s.map((t) => t.word))
        .join(" ");
    }
    button.disabled = true;
    const began = performance.now();
    try {
      const model = await trainInPage(source, {
        steps,
        onChunk: async (step, losses, current) => {
          status.textContent = `step ${step} of ${steps}, loss ${losses[losses.length - 1].toFixed(3)}, ${((performance.now() - began) / 1000).toFixed(1)} s`;
          status.dataset.step = String(step);
          status.dataset.firstLoss = String(losses[0]);
          status.dataset.lastLoss = String(losses[losses.length - 1]);
          element("train-loss").innerHTML = lossSvg(losses);
          element("train-sweep").innerHTML = sweepSvg(current, sample, step);
          // Let the page paint before the next chunk of steps.
          await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
        },
      });
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
