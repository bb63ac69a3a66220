// Issue 15: `serve` wrote its log as JSON lines on stderr, so `npm start -- --demo` showed a JSON
// object above "llm-ledger is listening…" and two more after Ctrl-C. The log is text lines by
// default; `--log-format json` keeps one JSON object per line for a log collector.
import { describe, expect, it } from "vitest";
import { runCli } from "../../src/cli/run-cli.js";
import { rootCommand } from "../../src/cli/root-command.js";

/** Runs `serve` in this process until it printed its startup text, then asks it to stop (SIGINT). */
async function serveUntilStarted(
  argv: string[],
): Promise<{ exitCode: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  let started: () => void = () => {};
  const startedPromise = new Promise<void>((resolve) => (started = resolve));
  const exitCode = await runCli(rootCommand, ["serve", "--port", "0", ...argv], {
    stdout: {
      write: (text: string) => {
        stdout += text;
        if (stdout.includes("stop with Ctrl-C")) started();
      },
      isTTY: false,
    },
    stderr: { write: (text: string) => (stderr += text), isTTY: false },
    env: {},
    cwd: process.cwd(),
    waitForStop: () => startedPromise.then(() => "SIGINT"),
  });
  return { exitCode, stdout, stderr };
}

const lines = (text: string) => text.split("\n").filter((line) => line !== "");
const isJson = (line: string) => {
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
};

describe("serve's log", () => {
  it("is text lines a person reads, beside the startup text, by default", async () => {
    const run = await serveUntilStarted(["--demo"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const logged = lines(run.stderr);
    expect(logged.filter(isJson)).toEqual([]);
    expect(logged.some((line) => line.includes("demo: generated 30 days of events"))).toBe(true);
    expect(logged.at(-1)).toMatch(/^\d\d:\d\d:\d\d stopped$/);
    expect(lines(run.stdout).filter(isJson)).toEqual([]);
  });

  it("is one JSON object per line with --log-format json", async () => {
    const run = await serveUntilStarted(["--database-url", "memory:", "--log-format", "json"]);
    expect(run.exitCode, run.stderr).toBe(0);
    const logged = lines(run.stderr);
    expect(logged.length).toBeGreaterThanOrEqual(2);
    expect(logged.every(isJson)).toBe(true);
    expect(logged.map((line) => (JSON.parse(line) as { message: string }).message)).toContain("stopped");
  });

  it("refuses a log format it does not know", async () => {
    const run = await serveUntilStarted(["--database-url", "memory:", "--log-format", "yaml"]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toContain("json");
  });
});
