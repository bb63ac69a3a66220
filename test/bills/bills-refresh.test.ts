// serve --bills-refresh: the service imports each provider whose admin key is set, at start and on
// schedule; a success is the /metrics gauge, a failure is logged and counted and keeps the stored bill.
import { afterAll, beforeAll, expect, it } from "vitest";
import { listBillLines } from "../../src/bills/index.js";
import type { CommandContext } from "../../src/cli/command.js";
import { billsRefreshOf } from "../../src/cli/commands/bills-refresh-option.js";
import type { ServerLogger } from "../../src/server/server-logger.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { runLedger } from "../support/cli.js";
import { describeEachEngine } from "../support/databases.js";
import { fakeKeys, startFakeBillingServer, type FakeBillingServer } from "../support/fake-billing-server.js";
import { openaiLines } from "./support/expected-lines.js";

const adminKey = "bills-refresh-admin-key-0123456789";

describeEachEngine("serve --bills-refresh", (context) => {
  let fake: FakeBillingServer;
  let server: RunningServer;
  const logged: Array<Record<string, unknown>> = [];
  const logger: ServerLogger = {
    info: (fields, message) => logged.push({ ...fields, message }),
    warn: (fields, message) => logged.push({ ...fields, message }),
    error() {},
  };
  const metrics = async () =>
    (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } })).text();

  beforeAll(async () => {
    fake = await startFakeBillingServer();
    const cli = {
      options: { "bills-refresh": "24h", "bills-api-base": fake.url },
      positionals: [],
      // Anthropic's key is wrong: its import fails while OpenAI's succeeds.
      io: {
        env: { OPENAI_ADMIN_KEY: fakeKeys.openai, ANTHROPIC_ADMIN_KEY: "sk-ant-wrong" },
        cwd: process.cwd(),
      },
    } as unknown as CommandContext;
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger,
      billsRefresh: billsRefreshOf(cli),
    });
  });
  afterAll(async () => {
    await server.close();
    await fake.close();
  });

  it("imports at start: the gauge for the provider that succeeded, the failure counted and logged", async () => {
    await expect.poll(metrics, { timeout: 10_000 }).toMatch(/^llm_ledger_bills_import_failures_total 1$/m);
    const text = await metrics();
    const gauge = /^llm_ledger_bills_last_import_timestamp_seconds\{provider="openai"\} (\d+)$/m.exec(text);
    expect(Number(gauge?.[1])).toBeGreaterThan(Date.now() / 1000 - 600);
    expect(text).not.toMatch(/last_import_timestamp_seconds\{provider="anthropic"\}/);
    expect(await listBillLines(context.database(), context.schema)).toEqual(openaiLines);
    expect(logged).toContainEqual(
      expect.objectContaining({ message: "imported the provider's bill", provider: "openai", lines: 5 }),
    );
    const failure = logged.find((entry) => entry.message === "bill import failed; the stored bill is kept");
    expect(failure).toMatchObject({ provider: "anthropic" });
    expect(String((failure?.err as Error).message)).toMatch(/^ANTHROPIC_ADMIN_KEY was refused/);
    expect((failure?.err as Error).message).not.toContain("sk-ant-wrong");
  });

  it("refuses --bills-refresh without a key, or with a bad duration, before starting", async () => {
    const noKey = await runLedger(["serve", "--bills-refresh", "24h", "--port", "0"], { env: {} });
    expect(noKey.exitCode).toBe(2);
    expect(noKey.stderr).toMatch(
      /--bills-refresh needs an admin key: set OPENAI_ADMIN_KEY or ANTHROPIC_ADMIN_KEY/,
    );
    const bad = await runLedger(["serve", "--bills-refresh", "soon", "--port", "0"], {
      env: { OPENAI_ADMIN_KEY: "x" },
    });
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toMatch(/--bills-refresh must be a duration/);
  });
});
