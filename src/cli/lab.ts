/** `localist lab`: serves the Locality Lab page and a model folder on this machine. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { LocalistError } from "../engine/errors.js";
import { LocalistModel } from "../lm/node.js";
import type { Command } from "./command.js";
import { printable } from "../engine/printable.js";
import { between, UsageError } from "./flags.js";
import { isLoopback, startLabServer } from "./labServer.js";

/** What `localist demo` writes, served when no --model is given. */
export const DEMO_MODEL = "localist-demo/model";

/** The built page: dist/lab beside dist/src (this file is dist/src/cli/lab.js once built). */
export function labPageFolder(): string {
  return fileURLToPath(new URL("../../lab/", import.meta.url));
}

export const LAB: Command = {
  summary: "the Locality Lab: a page with the model, the dial, rules and the bound",
  usage: "localist lab [--model DIR] [--port 8080] [--host 127.0.0.1] [--expose]",
  description:
    "Starts a local server and prints its URL: the Lab page plus the model folder's files, read-only and confined to that folder. Without --model it serves ./localist-demo/model (written by 'localist demo'). Ctrl-C stops it.",
  flags: [
    {
      name: "model",
      kind: "string",
      value: "DIR",
      help: "a trained model folder (default ./localist-demo/model)",
    },
    {
      name: "port",
      kind: "integer",
      constraint: between(0, 65535),
      default: 8080,
      help: "the port (0: any free port)",
    },
    {
      name: "host",
      kind: "string",
      value: "ADDRESS",
      default: "127.0.0.1",
      help: "the address to listen on (beyond loopback only with --expose)",
    },
    {
      name: "expose",
      kind: "boolean",
      help: "allow a --host other than loopback: the page and the model's files to the network",
    },
  ],
  async run({ flags }, out) {
    const host = flags.host as string;
    if (!isLoopback(host) && flags.expose !== true)
      throw new UsageError(
        `--host ${printable(host)} would serve the model folder beyond this machine; add --expose if that is meant, or use --host 127.0.0.1`,
      );
    let dir = flags.model as string | undefined;
    if (dir === undefined) {
      if (!existsSync(DEMO_MODEL))
        throw new LocalistError(
          `no model to serve: give one with --model DIR, or run 'localist demo' to make ./${DEMO_MODEL}`,
        );
      dir = DEMO_MODEL;
    }
    // Opening the model checks every file, so a bad folder is one line here, not in the page.
    LocalistModel.open(dir).dispose();
    const page = labPageFolder();
    if (!existsSync(join(page, "index.html")))
      throw new LocalistError(
        `the Lab page is not built (${page} has no index.html); run 'npm run build'`,
      );
    const lab = await startLabServer({
      page,
      model: dir,
      host,
      port: flags.port as number,
    });
    if (!isLoopback(host))
      process.stderr.write(
        `warning: the Lab is exposed on ${lab.url}: anyone who can reach this address can read the page and every file of the model folder ${printable(dir)}\n`,
      );
    out(`Locality Lab: ${lab.url} (model ${dir}; Ctrl-C stops it)\n`);
    await new Promise<void>((resolve) => {
      const stop = () => void lab.close().then(resolve);
      process.once("SIGINT", stop);
      process.once("SIGTERM", stop);
    });
  },
};
