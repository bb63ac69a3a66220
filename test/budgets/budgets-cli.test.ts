// `llm-ledger budgets …` through a running service (--url) and directly on the database: the same
// answers, bad flags refused with exit 2 naming the flag.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { createKeyVia } from "../support/admin-keys.js";
import { runLedger } from "../support/cli.js";
import { describeEachEngine, serverUrl } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

describeEachEngine("budgets CLI", (context) => {
  let server: RunningServer;
  let env: Record<string, string> = {};
  const throughServer = () => ["--url", server.url];

  beforeAll(async () => {
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      logger: silentLogger,
    });
    env = { LLM_LEDGER_ADMIN_KEY: server.generatedAdminKey! };
  });
  afterAll(async () => {
    await server?.close();
  });

  it("creates, lists, updates, reports and deletes through the service", async () => {
    const created = await runLedger(
      [
        "budgets",
        "create",
        "--name",
        "api-monthly",
        "--scope",
        "repo=acme/api,acme\\,inc",
        "--scope",
        "task-type=review",
        "--per",
        "user",
        "--period",
        "month",
        "--amount",
        "500",
        "--thresholds",
        "50,80%,100",
        "--tz",
        "Europe/Berlin",
        "--notify",
        "webhook:https://hooks.example.com/ledger",
        ...throughServer(),
      ],
      { env },
    );
    expect(created).toMatchObject({ exitCode: 0, stderr: "" });
    expect(created.stdout).toMatch(/^created budget \d+ 'api-monthly'\n$/);

    const listed = await runLedger(["budgets", "list", "--json", ...throughServer()], { env });
    expect(JSON.parse(listed.stdout)).toMatchObject([
      {
        name: "api-monthly",
        scope: { repo: ["acme/api", "acme,inc"], taskType: ["review"] },
        per: "userId",
        period: "month",
        timeZone: "Europe/Berlin",
        amountUsd: "500",
        thresholds: [50, 80, 100],
        notify: ["webhook:https://hooks.example.com/ledger"],
      },
    ]);
    const table = await runLedger(["budgets", "list", ...throughServer()], { env });
    expect(table.stdout).toContain("repo=acme/api,acme\\,inc task-type=review");
    expect(table.stdout).toContain("$500.00");

    const updated = await runLedger(
      [
        "budgets",
        "update",
        "api-monthly",
        "--amount",
        "750.5",
        "--per",
        "none",
        "--notify",
        "none",
        ...throughServer(),
      ],
      { env },
    );
    expect(updated.exitCode).toBe(0);
    const status = await runLedger(
      ["budgets", "status", "api-monthly", "--at", "2024-03-15T12:00:00Z", "--json", ...throughServer()],
      { env },
    );
    expect(JSON.parse(status.stdout)).toMatchObject({
      budgets: [
        {
          budget: { name: "api-monthly", amountUsd: "750.5", per: null, notify: [] },
          periodStart: "2024-02-29T23:00:00.000Z",
          spentUsd: "0",
          state: "ok",
        },
      ],
    });
    const statusTable = await runLedger(["budgets", "status", "--at", "2024-03-15", ...throughServer()], {
      env,
    });
    expect(statusTable.stdout).toMatch(
      /api-monthly .*2024-02-29\.\.2024-03-31 .*\$0\.00 .*\$750\.50 .*0\.00% .*ok/,
    );

    expect(
      (await runLedger(["budgets", "delete", "api-monthly", ...throughServer()], { env })).exitCode,
    ).toBe(0);
    const again = await runLedger(["budgets", "delete", "api-monthly", ...throughServer()], { env });
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain("no budget with id or name 'api-monthly'");
  });

  it.each([
    [["--amount=-5"], /--amount: amountUsd: expected a positive amount/],
    [["--amount", "ten"], /--amount: amountUsd: /],
    [["--tz", "Mars/Olympus"], /--tz: timeZone: unknown time zone "Mars\/Olympus"/],
    [["--period", "year"], /--period: period: expected day, week, month or rolling:Nd/],
    [["--notify", "email:ops@example.com"], /--notify: notify\[0\]: unknown target scheme "email"/],
    [
      ["--thresholds", "0,50"],
      /--thresholds: thresholds: each must be a whole percentage from 1 to 1000, got 0/,
    ],
    [["--thresholds", "half"], /--thresholds takes whole percentages/],
    [["--scope", "team=search"], /--scope accepts repo, task-type .*got 'team'/],
    [["--per", "colour"], /--per accepts repo, task-type .*got 'colour'/],
  ])("refuses %j with exit 2 naming the flag, through the service", async (flags, message) => {
    const run = await runLedger(
      [
        "budgets",
        "create",
        "--name",
        "bad",
        "--period",
        "day",
        "--amount",
        "5",
        ...flags,
        ...throughServer(),
      ],
      { env },
    );
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(message);
  });

  it("creates a project's budgets and targets with --project, implied by a project's admin key", async () => {
    const adminKey = server.generatedAdminKey!;
    const made = await fetch(`${server.url}/v1/projects`, {
      method: "POST",
      headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
      body: JSON.stringify({ slug: "alpha", name: "Team Alpha" }),
    });
    expect(made.status).toBe(201);
    const alphaAdmin = await createKeyVia(server.url, adminKey, {
      name: "alpha admin",
      scopes: ["admin"],
      project: "alpha",
    });
    const spec = ["--period", "month", "--amount", "5", "--json", ...throughServer()];
    const named = await runLedger(
      ["budgets", "create", "--name", "alpha-monthly", "--project", "alpha", ...spec],
      {
        env,
      },
    );
    expect(named.exitCode).toBe(0);
    expect(JSON.parse(named.stdout)).toMatchObject({ project: "alpha", scope: { project: ["alpha"] } });
    const alphaEnv = { LLM_LEDGER_ADMIN_KEY: alphaAdmin };
    const implied = await runLedger(["budgets", "create", "--name", "implied", ...spec], { env: alphaEnv });
    expect(JSON.parse(implied.stdout)).toMatchObject({ name: "implied", project: "alpha" });
    const listed = await runLedger(["budgets", "list", "--json", ...throughServer()], { env: alphaEnv });
    expect((JSON.parse(listed.stdout) as Array<{ name: string }>).map((budget) => budget.name)).toEqual([
      "alpha-monthly",
      "implied",
    ]);
    const elsewhere = await runLedger(["budgets", "create", "--name", "b", "--project", "beta", ...spec], {
      env: alphaEnv,
    });
    expect(elsewhere.exitCode).not.toBe(0);
    expect(elsewhere.stderr).toContain('this key manages project "alpha" only');
    const unknown = await runLedger(["budgets", "create", "--name", "u", "--project", "nope", ...spec], {
      env,
    });
    expect(unknown).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining("--project: project: no project 'nope'") as string,
    });

    const added = await runLedger(
      [
        "alerts",
        "targets",
        "add",
        "webhook:https://hooks.example.com/alpha",
        "--project",
        "alpha",
        "--json",
        ...throughServer(),
      ],
      { env },
    );
    expect(JSON.parse(added.stdout)).toMatchObject({ target: { project: "alpha" } });
    const targets = await runLedger(["alerts", "targets", "list", "--json", ...throughServer()], {
      env: alphaEnv,
    });
    expect(JSON.parse(targets.stdout)).toMatchObject([
      { url: "https://hooks.example.com/alpha", project: "alpha" },
    ]);
    for (const name of ["alpha-monthly", "implied"]) {
      expect(
        (await runLedger(["budgets", "delete", name, ...throughServer()], { env: alphaEnv })).exitCode,
      ).toBe(0);
    }
  });

  it("names a missing required flag", async () => {
    const run = await runLedger(["budgets", "create", "--name", "x", "--period", "day", ...throughServer()], {
      env,
    });
    expect(run).toMatchObject({
      exitCode: 2,
      stderr: expect.stringContaining("--amount: amountUsd: required") as string,
    });
  });

  it.runIf(context.engine === "postgres" && serverUrl)(
    "works directly on the database, refusing bad flags the same way",
    async () => {
      const target = ["--database-url", serverUrl!, "--schema", context.schema];
      const created = await runLedger([
        "budgets",
        "create",
        "--name",
        "direct",
        "--period",
        "rolling:7d",
        "--amount",
        "1",
        ...target,
      ]);
      expect(created.exitCode).toBe(0);
      const status = await runLedger(["budgets", "status", "direct", "--json", ...target]);
      expect(JSON.parse(status.stdout)).toMatchObject({
        budgets: [{ budget: { name: "direct" }, spentUsd: "0" }],
      });
      const bad = await runLedger(["budgets", "update", "direct", "--tz", "Nowhere/City", ...target]);
      expect(bad).toMatchObject({
        exitCode: 2,
        stderr: expect.stringContaining('--tz: timeZone: unknown time zone "Nowhere/City"') as string,
      });
      expect((await runLedger(["budgets", "delete", "direct", ...target])).exitCode).toBe(0);
    },
  );
});
