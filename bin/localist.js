#!/usr/bin/env node
// Thin launcher: the command lives in the compiled TypeScript (npm install runs `prepare`, which builds it).
import { main } from "../dist/src/cli/main.js";

// Output into a closed pipe (`localist … | head -1`) ends the program quietly, as Unix tools do.
process.stdout.on("error", (error) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

process.exitCode = await main(process.argv.slice(2));
