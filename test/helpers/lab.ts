/**
 * The Lab under test: `localist lab` in a child process (its URL read from stdout), and a real
 * headless Chromium driven by playwright-core. The browser is never downloaded: it is the one
 * inside the npm package @sparticuz/chromium, or a system Chromium named by LOCALIST_CHROMIUM.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium, type Browser, type Page } from "playwright-core";

const launcher = fileURLToPath(new URL("../../../bin/localist.js", import.meta.url));

/** The committed checkpoint the Lab tests load (fixtures/lab-model/make.sh made it). */
export const LAB_MODEL = fileURLToPath(new URL("../../../fixtures/lab-model", import.meta.url));

/** Where the tests leave screenshots for people to look at. */
export const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));

export interface RunningLab {
  url: string;
  process: ChildProcess;
  stop(): Promise<void>;
  /** What it has written to stderr so far. */
  stderr(): string;
}

/** Starts `localist lab ARGS`; resolves with its URL, or rejects with its stderr if it exits. */
export function startLab(args: string[], cwd?: string): Promise<RunningLab> {
  const child = spawn(process.execPath, [launcher, "lab", ...args], {
    cwd,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const url = /(http:\/\/\S+\/)/.exec(stdout)?.[1];
      if (url)
        resolve({
          url,
          process: child,
          stderr: () => stderr,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null) return done();
              child.once("exit", () => done());
              child.kill("SIGTERM");
            }),
        });
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("exit", (code) => reject(new Error(`lab exited with ${code}: ${stderr}`)));
  });
}

/** A headless Chromium (one per test file: launching is the slow part). */
export async function launchBrowser(): Promise<Browser> {
  let executablePath = process.env.LOCALIST_CHROMIUM;
  if (!executablePath) {
    const { default: packaged } = await import("@sparticuz/chromium");
    executablePath = await packaged.executablePath();
  }
  // Not @sparticuz/chromium's own args: they turn off what cross-origin isolation needs.
  return chromium.launch({ executablePath, args: ["--no-sandbox"], headless: true });
}

/** A page that records every console error and uncaught exception in `errors`. */
export async function watchedPage(browser: Browser, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => errors.push(`page: ${error.message}`));
  return page;
}

/** Saves a screenshot under dist/test-artifacts/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = `${ARTIFACTS}${name}.png`;
  await page.screenshot({ path, fullPage: true });
  return path;
}
