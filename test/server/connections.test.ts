// Per-client connection limits on a real server, and the proxy headers that count only with trustProxy.
import net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKeyStore, type ApiKeyStore } from "../../src/server/api-keys.js";
import { createApp } from "../../src/server/app.js";
import { createFailureThrottle } from "../../src/server/failure-throttle.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { migrateUp } from "../../src/store/migrator.js";
import type { Database } from "../../src/store/database.js";
import { engineDatabase, uniqueSchema } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const adminKey = "connections-test-admin-key-0123456789";

/** Opens a raw TCP connection; `closed` resolves when the server closes it. */
async function connect(url: string) {
  const { hostname, port } = new URL(url);
  const socket = net.connect(Number(port), hostname);
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.on("error", () => {});
  await new Promise((resolve) => socket.once("connect", resolve));
  let received = "";
  socket.on("data", (chunk: Buffer) => (received += chunk.toString()));
  return { socket, closed, received: () => received };
}

const settled = (promise: Promise<void>, milliseconds: number) =>
  Promise.race([
    promise.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), milliseconds)),
  ]);

describe("connection limits", () => {
  let database: Database;
  let server: RunningServer;
  const schema = uniqueSchema("connections");

  beforeAll(async () => {
    database = await engineDatabase("pglite");
    server = await startServer({
      database,
      schema,
      port: 0,
      adminKey,
      maxConnectionsPerClient: 4,
      unauthenticatedIdleMs: 400,
      logger: silentLogger,
    });
  });
  afterAll(async () => {
    await server.close();
    await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  it("refuses connections beyond the per-client cap, and accepts again once they close", async () => {
    const sockets = await Promise.all(Array.from({ length: 8 }, () => connect(server.url)));
    const closedEarly = await Promise.all(sockets.map((socket) => settled(socket.closed, 200)));
    expect(closedEarly.filter(Boolean).length).toBe(4);
    for (const { socket } of sockets) socket.destroy();
    await Promise.all(sockets.map((socket) => socket.closed));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it("closes an idle socket that authenticated nothing, and keeps an authenticated one", async () => {
    const silentSocket = await connect(server.url);
    expect(await settled(silentSocket.closed, 2_000)).toBe(true);

    const signedIn = await connect(server.url);
    signedIn.socket.write(
      `GET /v1/admin/keys HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${adminKey}\r\nConnection: keep-alive\r\n\r\n`,
    );
    await expect.poll(signedIn.received).toContain("HTTP/1.1 200");
    expect(await settled(signedIn.closed, 1_500)).toBe(false);
    signedIn.socket.destroy();
  });
});

describe("proxy headers", () => {
  let keys: ApiKeyStore;
  let database: Database;
  const schema = uniqueSchema("proxy");

  beforeAll(async () => {
    database = await engineDatabase("pglite");
    await migrateUp(database, { schema });
    keys = createApiKeyStore({ database, schema });
  });
  afterAll(async () => {
    await database.exec(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  });

  const wrongKeyFrom = (app: ReturnType<typeof createApp>, address: string) =>
    app.request("/v1/admin/keys", {
      headers: { authorization: "Bearer llk_wrongwrongwrongwrongwrongwrong", "x-forwarded-for": address },
    });

  it("counts X-Forwarded-For as the client's address only with trustProxy", async () => {
    const direct = createApp({ keys, logger: silentLogger, throttle: createFailureThrottle({ limit: 2 }) });
    await wrongKeyFrom(direct, "192.0.2.1");
    await wrongKeyFrom(direct, "192.0.2.2");
    expect((await wrongKeyFrom(direct, "192.0.2.3")).status).toBe(429); // one client, whatever it claims

    const proxied = createApp({
      keys,
      logger: silentLogger,
      throttle: createFailureThrottle({ limit: 2 }),
      trustProxy: true,
    });
    await wrongKeyFrom(proxied, "192.0.2.1");
    await wrongKeyFrom(proxied, "192.0.2.1");
    expect((await wrongKeyFrom(proxied, "192.0.2.1")).status).toBe(429);
    expect((await wrongKeyFrom(proxied, "203.0.113.9, 192.0.2.2")).status).toBe(401);
  });

  it("marks the session cookie Secure with secureCookies, or by X-Forwarded-Proto from a trusted proxy", async () => {
    const reader = (await keys.create({ name: "reader", scopes: ["read"] })).key;
    const cookieFrom = async (options: { trustProxy?: boolean; secureCookies?: boolean }) => {
      const app = createApp({ keys, logger: silentLogger, ...options });
      const response = await app.request("/v1/session", {
        method: "POST",
        headers: {
          origin: "http://localhost",
          "content-type": "application/json",
          "x-forwarded-proto": "https",
        },
        body: JSON.stringify({ key: reader }),
      });
      return response.headers.get("set-cookie") ?? "";
    };
    expect(await cookieFrom({})).not.toMatch(/;\s*Secure/i);
    expect(await cookieFrom({ trustProxy: true })).toMatch(/;\s*Secure/i);
    expect(await cookieFrom({ secureCookies: true })).toMatch(/;\s*Secure/i);
  });
});
