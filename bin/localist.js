#!/usr/bin/env node
// Thin launcher: the command lives in the compiled TypeScript (npm install runs `prepare`, which builds it).
import { main } from "../dist/src/cli/main.js";

process.exitCode = await main(process.argv.slice(2));
