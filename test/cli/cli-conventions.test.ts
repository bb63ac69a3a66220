import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { runLedger } from "../support/cli.js";

const temporary: string[] = [];
afterAll(async () => {
  for (const directory of temporary) await rm(directory, { recursive: true, force: true });
});

describe("the llm-ledger CLI", () => {
  it("lists its commands with --help and with no arguments", async () => {
    for (const argv of [["--help"], []]) {
      const run = await runLedger(argv);
      expect(run.exitCode).toBe(0);
      expect(run.stdout).toMatch(/Usage: llm-ledger <command>/);
      expect(run.stdout).toMatch(/migrate\s+apply, revert or list/);
    }
  });

  it("has --help on every command", async () => {
    const run = await runLedger(["migrate", "up", "--help"]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain("--database-url URL");
    expect(run.stdout).toContain("--to N");
  });

  it("exits 2 with one line naming an unknown command, flag or bad value", async () => {
    const unknownCommand = await runLedger(["nope"]);
    expect(unknownCommand).toMatchObject({ exitCode: 2, stdout: "" });
    expect(unknownCommand.stderr).toMatch(
      /^llm-ledger: unknown command 'nope' for 'llm-ledger'; commands: .*migrate/,
    );

    const unknownFlag = await runLedger(["migrate", "status", "--colour"]);
    expect(unknownFlag.exitCode).toBe(2);
    expect(unknownFlag.stderr.trim().split("\n")).toHaveLength(1);
    expect(unknownFlag.stderr).toContain("unknown option '--colour'");

    const badChoice = await runLedger(["migrate", "status", "--format", "xml"]);
    expect(badChoice).toMatchObject({ exitCode: 2 });
    expect(badChoice.stderr).toContain("--format must be one of table, json, csv, got 'xml'");

    const badNumber = await runLedger(["migrate", "up", "--to=-3"]);
    expect(badNumber.stderr).toContain("--to must be a whole number from 0 to 9999, got '-3'");
    const ambiguous = await runLedger(["migrate", "up", "--to", "-3"]);
    expect(ambiguous.stderr).toContain("--to needs a value; for a value starting with '-' write --to=VALUE");

    const missingValue = await runLedger(["migrate", "up", "--to"]);
    expect(missingValue).toMatchObject({ exitCode: 2 });
    expect(missingValue.stderr).toContain("--to needs a value");
  });

  it("exits 1 with the error's code for a failure, hiding passwords", async () => {
    const run = await runLedger([
      "migrate",
      "status",
      "--database-url",
      "postgres://me:topsecret@127.0.0.1:1/x",
    ]);
    expect(run.exitCode).toBe(1);
    expect(run.stderr).toContain("[E_DB_UNREACHABLE]");
    expect(run.stderr).not.toContain("topsecret");
  });

  it("takes DATABASE_URL from the environment, and --database-url over it", async () => {
    const fromEnv = await runLedger(["status"], { env: { DATABASE_URL: "sqlite:x" } });
    expect(fromEnv.stderr).toContain("scheme 'sqlite:'");
    const fromFlag = await runLedger(["status", "--json", "--database-url", "memory:", "--migrate"], {
      env: { DATABASE_URL: "sqlite:x" },
    });
    expect(fromFlag.exitCode).toBe(0);
    expect(JSON.parse(fromFlag.stdout)).toMatchObject({ database: "memory:", engine: "pglite", events: "0" });
  });

  it("migrates up, reports status as JSON and CSV, and goes down", async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-cli-"));
    temporary.push(directory);
    const env = { LLM_LEDGER_HOME: directory };
    const up = await runLedger(["migrate", "up"], { env });
    expect(up).toMatchObject({ exitCode: 0 });
    expect(up.stdout).toContain("applied 0001-cost-events");
    const statusRun = await runLedger(["migrate", "status", "--json"], { env });
    const status = JSON.parse(statusRun.stdout) as { current: number; latest: number };
    expect(status.current).toBe(status.latest);
    expect(up.stdout).toContain(`now at version ${status.latest} of ${status.latest}`);
    const csv = await runLedger(["migrate", "status", "--format", "csv"], { env });
    expect(csv.stdout.split("\n")[0]).toBe("version,name,applied");
    const down = await runLedger(["migrate", "down", "--to", "0"], { env });
    expect(down.stdout).toContain("reverted 0001-cost-events");
    expect(down.stdout).toContain("now at version 0");
  });

  it("`npm start`'s command migrates the embedded database in a fresh directory and says what to do next", async () => {
    const directory = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-start-"));
    temporary.push(directory);
    const main = path.resolve("src/cli/main.ts");
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", import.meta.resolve("tsx"), main, "status", "--migrate"],
      {
        cwd: directory,
        env: { PATH: process.env.PATH ?? "" },
      },
    );
    expect(stdout).toContain(
      `database    pglite:${path.join(directory, ".llm-ledger", "db")} (embedded PGlite)`,
    );
    expect(stdout).toMatch(/applied now: 0001-cost-events/);
    expect(stdout).toContain("Next: record LLM calls");
  });
});
