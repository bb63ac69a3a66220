import { runCli } from "../../src/cli/run-cli.js";
import { rootCommand } from "../../src/cli/root-command.js";

export interface CliRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process with captured output (stdout and stderr are not terminals). */
export async function runLedger(
  argv: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<CliRun> {
  let stdout = "";
  let stderr = "";
  const exitCode = await runCli(rootCommand, argv, {
    stdout: { write: (text: string) => (stdout += text), isTTY: false },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
  });
  return { exitCode, stdout, stderr };
}
