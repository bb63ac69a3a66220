// Issue 15: the CLI takes the dimension names the library, the HTTP API and the dashboard use
// (`taskType`) as well as its own (`task-type`), and suggests the nearest name for a typo.
import { describe, expect, it } from "vitest";
import { editDistance, nearestName } from "../../src/cli/nearest-name.js";
import { runLedger } from "../support/cli.js";

describe("nearestName", () => {
  it("finds the known name a typo is nearest to, ignoring case, '-' and '_'", () => {
    const known = ["repo", "task-type", "model", "provider"];
    expect(nearestName("task_type", known)).toBe("task-type");
    expect(nearestName("TaskType", known)).toBe("task-type");
    expect(nearestName("modle", known)).toBe("model");
    expect(nearestName("provder", known)).toBe("provider");
    expect(nearestName("team", known)).toBeUndefined();
    expect(nearestName("", known)).toBeUndefined();
  });

  it("measures edits as Levenshtein does, a swap of neighbours being one", () => {
    expect(editDistance("grian", "grain")).toBe(1);
    expect(editDistance("kitten", "sitting")).toBe(3);
    expect(editDistance("", "abc")).toBe(3);
    expect(editDistance("same", "same")).toBe(0);
  });
});

describe("dimension names on the command line", () => {
  const database = ["--database-url", "memory:"];

  it("accepts the library's spelling (taskType, userId) beside the CLI's (task-type, user)", async () => {
    // Flags are parsed before the database is opened: an unreachable one (exit 1, not 2) shows each
    // spelling was accepted, without starting an engine per spelling.
    const unreachable = ["--database-url", "postgres://127.0.0.1:1/none"];
    for (const by of ["taskType", "task-type", "task", "userId", "user", "sessionId", "deliveryId"]) {
      const run = await runLedger(["report", "--by", by, "--filter", `${by}=x`, ...unreachable]);
      expect(run.stderr, by).toContain("[E_DB_UNREACHABLE]");
      expect(run.exitCode, by).toBe(1);
    }
    const run = await runLedger([
      "top",
      "--by",
      "taskType",
      "--filter",
      "taskType=review",
      "--json",
      ...database,
    ]);
    expect(run).toMatchObject({ exitCode: 0, stderr: "" });
    expect(JSON.parse(run.stdout)).toMatchObject({ rows: [] });
  });

  it("suggests the nearest dimension for an unknown one, in one line with exit 2", async () => {
    const run = await runLedger(["report", "--by", "modle", ...database]);
    expect(run.exitCode).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toContain("got 'modle' (did you mean 'model'?)");

    const filter = await runLedger(["report", "--filter", "task_type=review", ...database]);
    expect(filter.exitCode).toBe(2);
    expect(filter.stderr).toMatch(/did you mean '(task-type|taskType)'\?/);

    const far = await runLedger(["report", "--by", "team", ...database]);
    expect(far.exitCode).toBe(2);
    expect(far.stderr).not.toContain("did you mean");
  });

  it("suggests the nearest flag, command and choice", async () => {
    const flag = await runLedger(["report", "--grian", "day"]);
    expect(flag.exitCode).toBe(2);
    expect(flag.stderr).toContain("unknown option '--grian' for 'report' (did you mean '--grain'?)");

    const command = await runLedger(["reprot"]);
    expect(command.exitCode).toBe(2);
    expect(command.stderr).toContain("unknown command 'reprot' for 'llm-ledger' (did you mean 'report'?)");

    const choice = await runLedger(["report", "--grain", "days"]);
    expect(choice.exitCode).toBe(2);
    expect(choice.stderr).toContain("got 'days' (did you mean 'day'?)");
  });
});
