// Two real service processes on one Postgres schema evaluate the same budget every second: each
// crossed threshold reaches the receiver once. Then both are killed (-9) while a delivery is in
// flight; a restarted one delivers it, with the same idempotency key.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import pg from "pg";
import { describeServer, serverUrl, uniqueSchema } from "../support/databases.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

const adminKey = "alert-replicas-test-admin-key-0123456789";
const schema = uniqueSchema("alerts");
const children: ChildProcess[] = [];
let home = "";
let receiver: WebhookReceiver;

interface Service {
  child: ChildProcess;
  url: string;
  exited: Promise<unknown>;
}

function startService(): Promise<Service> {
  const child = spawn(
    process.execPath,
    [
      ...["--import", import.meta.resolve("tsx"), "src/cli/main.ts", "serve", "--port", "0"],
      ...[
        "--database-url",
        serverUrl!,
        "--schema",
        schema,
        "--alert-interval",
        "1s",
        "--allow-private-webhooks",
      ],
    ],
    {
      cwd: process.cwd(),
      env: { PATH: process.env.PATH ?? "", LLM_LEDGER_HOME: home, LLM_LEDGER_ADMIN_KEY: adminKey },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  children.push(child);
  let output = "";
  const exited = new Promise((resolve) => child.on("exit", resolve));
  return new Promise((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const url = /listening on (http:\/\/\S+)/.exec(output)?.[1];
      if (url) resolve({ child, url, exited });
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    void exited.then(() => reject(new Error(`exited before listening:\n${output}`)));
  });
}

async function call(service: Service, method: string, route: string, body: unknown, key = adminKey) {
  const response = await fetch(`${service.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}` },
    body: JSON.stringify(body),
  });
  expect(response.status, `${method} ${route}: ${await response.clone().text()}`).toBeLessThan(300);
  return (await response.json()) as Record<string, unknown>;
}

async function killAll(): Promise<void> {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) {
      const gone = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await gone;
    }
  }
}

describeServer("budget alerts across service replicas", () => {
  beforeAll(async () => {
    home = await mkdtemp(path.join(os.tmpdir(), "llm-ledger-alerts-"));
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await killAll();
    await receiver?.close();
    await rm(home, { recursive: true, force: true });
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await client.end();
  });

  it("delivers each crossed threshold once from two replicas, and re-sends a delivery cut by kill -9 with its key", async () => {
    const [first, second] = await Promise.all([startService(), startService()]);
    await call(first, "POST", "/v1/alert-targets", { target: `webhook:${receiver.url}/replicas` });
    await call(first, "POST", "/v1/budgets", {
      name: "daily",
      period: "day",
      amountUsd: "0.1",
      thresholds: [50, 100],
    });
    const { key } = (await call(first, "POST", "/v1/admin/keys", {
      name: "ingest",
      scopes: ["ingest"],
    })) as {
      key: string;
    };
    // gpt-4o-mini: $0.15 per million input tokens, 150 % of the amount.
    const event = {
      repo: "acme/api",
      taskType: "review",
      model: "gpt-4o-mini",
      inputTokens: 1_000_000,
      outputTokens: 0,
    };
    await call(second, "POST", "/v1/events", { events: [event] }, key);

    await expect.poll(() => receiver.received.length, { timeout: 30_000 }).toBe(2);
    // Several more cycles of both replicas: nothing is sent again.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    expect(receiver.received).toHaveLength(2);
    const thresholds = receiver.received.map(
      (request) => (JSON.parse(request.body) as { threshold: number }).threshold,
    );
    expect(thresholds.sort((a, b) => a - b)).toEqual([50, 100]);
    expect(new Set(receiver.received.map((request) => request.headers["idempotency-key"])).size).toBe(2);

    // A second budget fires while the receiver hangs: a replica is between its claim and the
    // receiver's answer when both are killed.
    receiver.hang = true;
    await call(first, "POST", "/v1/budgets", {
      name: "cut",
      period: "day",
      amountUsd: "0.1",
      thresholds: [100],
    });
    await expect.poll(() => receiver.received.length, { timeout: 30_000 }).toBe(3);
    const cutKey = receiver.received[2]!.headers["idempotency-key"];
    await killAll();
    receiver.hang = false;

    // The lease of the delivery that was cut lasts a minute; let it run out now rather than wait.
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(
      `UPDATE "${schema}".llm_ledger_alert_outbox SET next_attempt_at = now() WHERE state = 'pending'`,
    );
    await startService();
    await expect.poll(() => receiver.received.length, { timeout: 30_000 }).toBe(4);
    expect(receiver.received[3]!.headers["idempotency-key"]).toBe(cutKey);
    await expect
      .poll(
        async () =>
          (
            await client.query<{ state: string }>(
              `SELECT state FROM "${schema}".llm_ledger_alert_outbox ORDER BY id`,
            )
          ).rows,
        {
          timeout: 30_000,
        },
      )
      .toEqual([{ state: "delivered" }, { state: "delivered" }, { state: "delivered" }]);
    await client.end();
  });
});
