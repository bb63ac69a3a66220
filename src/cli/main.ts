#!/usr/bin/env node
// The `llm-ledger` executable: the only place that calls process.exit.
import { runCli } from "./run-cli.js";
import { rootCommand } from "./root-command.js";

let stop: Promise<string> | undefined;
const waitForStop = () =>
  (stop ??= new Promise<string>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => resolve(signal));
  }));

const exitCode = await runCli(rootCommand, process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  waitForStop,
});
process.exitCode = exitCode;
// Let streams drain; exit explicitly so open handles from a failed command cannot keep us alive.
setImmediate(() => process.exit(exitCode));
