// `llm-ledger alerts …` and the alert routes through a running service: targets, a test message, the
// delivery history, scopes, and an ingest that crosses a threshold delivered soon after (the nudge).
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { createKeyVia } from "../support/admin-keys.js";
import { runLedger } from "../support/cli.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

const adminKey = "alerts-cli-test-admin-key-0123456789";

describeEachEngine("alerts CLI and routes", (context) => {
  let server: RunningServer;
  let receiver: WebhookReceiver;
  const env = { LLM_LEDGER_ADMIN_KEY: adminKey };
  const target = () => ["--url", server.url];

  beforeAll(async () => {
    receiver = await startWebhookReceiver();
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
      // Only the ingest's nudge runs a cycle in this test.
      alerts: { allowPrivateWebhooks: true, intervalMs: 3_600_000 },
    });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
  });

  it("adds, tests, lists and removes targets; read keys see the history, never the targets", async () => {
    const webhook = `webhook:${receiver.url}/cli`;
    const added = await runLedger(["alerts", "targets", "add", webhook, "--json", ...target()], { env });
    expect(added.exitCode).toBe(0);
    const { target: info, secret } = JSON.parse(added.stdout) as { target: { id: string }; secret: string };
    expect(secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);

    const listed = await runLedger(["alerts", "targets", "list", ...target()], { env });
    expect(listed.stdout).toContain(`${webhook}  yes`);
    expect(listed.stdout).not.toContain(secret);

    const tested = await runLedger(["alerts", "test", webhook, ...target()], { env });
    expect(tested).toMatchObject({ exitCode: 0, stdout: "delivered (HTTP 200)\n" });
    expect(JSON.parse(receiver.received.at(-1)!.body)).toMatchObject({ type: "test" });

    const badScheme = await runLedger(["alerts", "targets", "add", "email:ops@example.com", ...target()], {
      env,
    });
    expect(badScheme.exitCode).toBe(2);
    expect(badScheme.stderr).toContain('target: unknown target scheme "email"');
    const unknown = await runLedger(
      ["alerts", "test", "webhook:https://nowhere.example.com/x", ...target()],
      { env },
    );
    expect(unknown.exitCode).toBe(1);
    expect(unknown.stderr).toContain("no alert target");

    const readKey = await createKeyVia(server.url, adminKey, {
      name: "reader",
      scopes: ["read"],
      project: null,
    });
    const history = await fetch(`${server.url}/v1/alerts`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    const { alerts } = (await history.json()) as {
      alerts: Array<{ type: string; target: Record<string, string> }>;
    };
    expect(alerts[0]).toMatchObject({
      type: "test",
      target: { kind: "webhook", host: new URL(receiver.url).host },
    });
    expect(JSON.stringify(alerts)).not.toContain("/cli");
    const targets = await fetch(`${server.url}/v1/alert-targets`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    expect(targets.status).toBe(403);

    const listedAlerts = await runLedger(["alerts", "list", ...target()], { env });
    expect(listedAlerts.stdout).toMatch(/test .* delivered/);

    const removed = await runLedger(["alerts", "targets", "remove", webhook, ...target()], { env });
    expect(removed.stdout).toBe(`removed target ${info.id} ${webhook}\n`);
    const again = await runLedger(["alerts", "targets", "remove", info.id, ...target()], { env });
    expect(again.exitCode).toBe(1);
  });

  it("delivers a threshold that an ingest crossed soon after it, without waiting for the schedule", async () => {
    await runLedger(["alerts", "targets", "add", `webhook:${receiver.url}/nudge`, ...target()], { env });
    const created = await runLedger(
      [
        "budgets",
        "create",
        "--name",
        "nudged",
        "--period",
        "day",
        "--amount",
        "0.1",
        "--thresholds",
        "100",
        ...target(),
      ],
      { env },
    );
    expect(created.exitCode).toBe(0);
    const ingestKey = await createKeyVia(server.url, adminKey, { name: "ingest", scopes: ["ingest"] });
    const posted = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${ingestKey}` },
      body: JSON.stringify({
        events: [
          {
            repo: "acme/api",
            taskType: "review",
            model: "gpt-4o-mini",
            inputTokens: 1_000_000,
            outputTokens: 0,
          },
        ],
      }),
    });
    expect(posted.status).toBe(200);
    await expect
      .poll(() => receiver.received.filter((request) => request.path === "/nudge").length, {
        timeout: 20_000,
      })
      .toBe(1);
    const body = JSON.parse(receiver.received.find((request) => request.path === "/nudge")!.body) as Record<
      string,
      unknown
    >;
    expect(body).toMatchObject({
      budget: { name: "nudged" },
      threshold: 100,
      dashboardUrl: `${server.url}/`,
    });
  });
});
