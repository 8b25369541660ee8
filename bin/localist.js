#!/usr/bin/env node
// Thin launcher: the command lives in the compiled TypeScript (npm install runs `prepare`, which builds it).
import { main } from "../dist/src/cli/main.js";
import { reportOutputError } from "../dist/src/cli/output.js";

// Output into a closed pipe (`localist … | head -1`) ends the program quietly, as Unix tools do;
// any other failure of stdout (a full disk, a bad descriptor) is one line and exit 1.
process.stdout.on("error", (error) => process.exit(reportOutputError(error)));

process.exitCode = await main(process.argv.slice(2));
