// The service during a database outage, against a real server whose database sits behind a proxy the
// test cuts or freezes: every route answers 503 with Retry-After, no body names the database, and a
// frozen connection cannot hold a request past the deadline.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { describeServer, serverUrl, uniqueSchema } from "../support/databases.js";
import { startTcpProxy, type TcpProxy } from "../support/tcp-proxy.js";
import { silentLogger } from "../support/loggers.js";

const adminKey = "outage-test-admin-key-0123456789";

describeServer("the service during a database outage", () => {
  let proxy: TcpProxy;
  let server: RunningServer;
  let databaseUrl: URL;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    const target = new URL(serverUrl!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    databaseUrl = new URL(serverUrl!);
    databaseUrl.hostname = "127.0.0.1";
    databaseUrl.port = String(proxy.port);
    server = await startServer({
      databaseUrl: databaseUrl.href,
      schema: uniqueSchema("outage"),
      port: 0,
      adminKey,
      requestTimeoutMs: 1_500,
      logger: silentLogger,
    });
    for (const scope of ["read", "ingest"]) {
      const response = await fetch(`${server.url}/v1/admin/keys`, {
        method: "POST",
        headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
        body: JSON.stringify({ name: scope, scopes: [scope] }),
      });
      keys[scope] = ((await response.json()) as { key: string }).key;
    }
  });

  afterAll(async () => {
    await proxy.restore();
    await server.store.database.exec(`DROP SCHEMA IF EXISTS ${server.store.schema} CASCADE`).catch(() => {});
    await server.close();
    await proxy.close();
  });

  /** Every route that reaches the database, as a client would call it. */
  const calls = () => [
    { name: "GET /v1/costs", run: () => get("/v1/costs", keys.read!) },
    { name: "GET /v1/events", run: () => get("/v1/events", keys.read!) },
    { name: "GET /metrics", run: () => get("/metrics", keys.read!) },
    { name: "GET /v1/admin/keys", run: () => get("/v1/admin/keys", adminKey) },
    {
      name: "POST /v1/events",
      run: () =>
        fetch(`${server.url}/v1/events`, {
          method: "POST",
          headers: { authorization: `Bearer ${keys.ingest}`, "content-type": "application/json" },
          body: JSON.stringify({
            events: [
              { repo: "acme/api", taskType: "review", model: "gpt-4o-mini", inputTokens: 1, outputTokens: 1 },
            ],
          }),
        }),
    },
    {
      name: "POST /v1/session (a key the server has not seen)",
      run: () =>
        fetch(`${server.url}/v1/session`, {
          method: "POST",
          headers: { origin: server.url, "content-type": "application/json" },
          body: JSON.stringify({ key: `llk_${randomUUID()}${randomUUID()}`.slice(0, 47) }),
        }),
    },
  ];
  const get = (path: string, key: string) =>
    fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });

  const expectUnavailable = async (response: Response, name: string) => {
    const text = await response.text();
    expect(response.status, `${name}: ${text}`).toBe(503);
    expect(Number(response.headers.get("retry-after")), name).toBeGreaterThan(0);
    for (const detail of [databaseUrl.host, String(proxy.port), databaseUrl.username + "@", "postgres://"]) {
      expect(text, name).not.toContain(detail);
    }
  };

  it("answers 503 with Retry-After and no connection details while the database is down", async () => {
    for (const call of calls()) expect((await call.run()).status, call.name).not.toBe(503);
    await proxy.cut();
    try {
      for (const call of calls()) await expectUnavailable(await call.run(), call.name);
    } finally {
      await proxy.restore();
    }
  });

  it("answers 503 with Retry-After by the deadline when a database connection freezes", async () => {
    expect((await get("/v1/costs", keys.read!)).status).toBe(200);
    proxy.freeze();
    try {
      const started = Date.now();
      for (const call of calls().slice(0, 2)) await expectUnavailable(await call.run(), call.name);
      expect(Date.now() - started).toBeLessThan(10_000);
    } finally {
      await proxy.restore();
    }
  });
});
