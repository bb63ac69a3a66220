import { beforeAll, expect, it } from "vitest";
import { createApiKeyStore, hashApiKey, type ApiKeyStore } from "../../src/server/api-keys.js";
import { createApp, type LedgerApp } from "../../src/server/app.js";
import { createFailureThrottle } from "../../src/server/failure-throttle.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

/** What the dashboard's own fetch sends with its sign-in and sign-out. */
const sameOrigin = { origin: "http://localhost", "content-type": "application/json" };

describeEachEngine("API keys and access", (context) => {
  let keys: ApiKeyStore;
  let app: LedgerApp;
  const created: Record<string, string> = {};

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
    keys = createApiKeyStore({ database: context.database(), schema: context.schema });
    for (const scope of ["read", "ingest", "admin"] as const) {
      created[scope] = (await keys.create({ name: `${scope} key`, scopes: [scope] })).key;
    }
    app = createApp({
      keys,
      logger: silentLogger,
      throttle: createFailureThrottle({ limit: 1_000_000 }),
      routes: [
        (ledgerApp, guards) => {
          ledgerApp.get("/v1/probe", guards.read, (c) => c.json({ ok: true }));
        },
      ],
    });
  });

  it("stores only a hash of each key, with its prefix and scopes", async () => {
    const rows = await context
      .database()
      .query<{ key_hash: string; prefix: string; scopes: string[] }>(
        `SELECT key_hash, prefix, scopes FROM "${context.schema}".llm_ledger_api_keys ORDER BY id`,
      );
    expect(rows.map((row) => row.scopes)).toEqual([["read"], ["ingest"], ["admin"]]);
    expect(rows[0]!.key_hash).toBe(hashApiKey(created.read!));
    expect(JSON.stringify(rows)).not.toContain(created.read!);
    expect(created.read).toMatch(/^llk_[A-Za-z0-9_-]{43}$/);
    expect(rows[0]!.prefix).toBe(created.read!.slice(0, 12));
  });

  const routes = [
    { method: "GET", path: "/v1/probe", scope: "read" },
    { method: "GET", path: "/v1/admin/keys", scope: "admin" },
  ] as const;

  for (const route of routes) {
    it(`${route.method} ${route.path}: no key 401, wrong key 401, wrong scope 403, right key 2xx`, async () => {
      const call = (authorization?: string) =>
        app.request(route.path, { method: route.method, headers: authorization ? { authorization } : {} });
      expect((await call()).status).toBe(401);
      expect((await call("Bearer llk_wrongwrongwrongwrongwrongwrongwrongwrong12345")).status).toBe(401);
      expect((await call("Basic abc")).status).toBe(401);
      const wrongScope = route.scope === "read" ? "ingest" : "read";
      expect((await call(`Bearer ${created[wrongScope]}`)).status).toBe(403);
      expect((await call(`Bearer ${created[route.scope]}`)).status).toBe(200);
    });
  }

  it("never accepts a key in the query string", async () => {
    const response = await app.request(`/v1/probe?key=${created.read}`);
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "E_AUTH_QUERY_KEY" } });
  });

  it("exchanges a read key for an HttpOnly, SameSite=Strict session cookie that reads", async () => {
    const login = await app.request("/v1/session", {
      method: "POST",
      headers: sameOrigin,
      body: JSON.stringify({ key: created.read }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^llm_ledger_session=[^;]+;/);
    expect(cookie).toContain("HttpOnly");
    expect(cookie).toContain("SameSite=Strict");
    const session = cookie.split(";")[0]!;
    expect((await app.request("/v1/probe", { headers: { cookie: session } })).status).toBe(200);
    expect(await (await app.request("/v1/session", { headers: { cookie: session } })).json()).toEqual({
      name: "read key",
      scopes: ["read"],
      // A read key created without a project reads the default project (projects, issue 21).
      project: "default",
    });
    // A cookie never grants admin routes.
    expect((await app.request("/v1/admin/keys", { headers: { cookie: session } })).status).toBe(401);
    const logout = await app.request("/v1/session", {
      method: "DELETE",
      headers: { cookie: session, origin: sameOrigin.origin },
    });
    expect(logout.status).toBe(204);
    expect((await app.request("/v1/probe", { headers: { cookie: session } })).status).toBe(401);
    expect((await app.request("/v1/session", { headers: { cookie: session } })).status).toBe(401);
  });

  it("refuses a session for a wrong key (401), an ingest-only key (403) and a bad body (400)", async () => {
    const post = (body: string) => app.request("/v1/session", { method: "POST", headers: sameOrigin, body });
    expect((await post(JSON.stringify({ key: "llk_nope_nope_nope_nope_nope_nope" }))).status).toBe(401);
    expect((await post(JSON.stringify({ key: created.ingest }))).status).toBe(403);
    expect((await post("{not json")).status).toBe(400);
    expect((await post(JSON.stringify({ secret: 1 }))).status).toBe(400);
  });

  it("creates, lists and revokes keys through the admin API; a revoked key stops working at once", async () => {
    const admin = { authorization: `Bearer ${created.admin}` };
    const made = await app.request("/v1/admin/keys", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "ci reader", scopes: ["read"] }),
    });
    expect(made.status).toBe(201);
    const { key, info } = (await made.json()) as { key: string; info: { id: string } };
    expect((await app.request("/v1/probe", { headers: { authorization: `Bearer ${key}` } })).status).toBe(
      200,
    );
    const listed = (await (await app.request("/v1/admin/keys", { headers: admin })).json()) as {
      keys: object[];
    };
    expect(JSON.stringify(listed)).not.toContain(key);
    expect(listed.keys).toContainEqual(expect.objectContaining({ name: "ci reader", scopes: ["read"] }));
    expect(
      (await app.request(`/v1/admin/keys/${info.id}`, { method: "DELETE", headers: admin })).status,
    ).toBe(200);
    expect((await app.request("/v1/probe", { headers: { authorization: `Bearer ${key}` } })).status).toBe(
      401,
    );
    expect((await app.request(`/v1/admin/keys/999999`, { method: "DELETE", headers: admin })).status).toBe(
      404,
    );
    const badScope = await app.request("/v1/admin/keys", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "x", scopes: ["root"] }),
    });
    expect(badScope.status).toBe(400);
    expect(await badScope.json()).toMatchObject({
      error: { message: expect.stringContaining("unknown scope") as unknown },
    });
  });

  it("accepts the admin key from the environment without storing it", async () => {
    const adminKey = "a-very-long-admin-key-from-env-123";
    const withEnvKey = createApp({
      keys: createApiKeyStore({ database: context.database(), schema: context.schema, adminKey }),
      logger: silentLogger,
    });
    expect(
      (await withEnvKey.request("/v1/admin/keys", { headers: { authorization: `Bearer ${adminKey}` } }))
        .status,
    ).toBe(200);
  });

  it("slows down repeated wrong keys from one address with 429 and Retry-After, never a valid key", async () => {
    const throttled = createApp({
      keys,
      logger: silentLogger,
      throttle: createFailureThrottle({ limit: 3, windowMs: 60_000 }),
    });
    const wrong = { authorization: "Bearer llk_wrongwrongwrongwrongwrongwrong" };
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await throttled.request("/v1/admin/keys", { headers: wrong })).status).toBe(401);
    }
    const blocked = await throttled.request("/v1/admin/keys", { headers: wrong });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    const valid = await throttled.request("/v1/admin/keys", {
      headers: { authorization: `Bearer ${created.admin}` },
    });
    expect(valid.status).toBe(200);
  });

  it("serves /healthz publicly with no data, sends a CSP, and never a stack trace", async () => {
    const health = await app.request("/healthz");
    expect(await health.json()).toEqual({ status: "ok" });
    expect(health.headers.get("content-security-policy")).toContain("script-src 'self'");
    const missing = await app.request("/nowhere");
    expect(missing.status).toBe(404);
    expect(await missing.text()).not.toMatch(/at .*\.ts:\d+/);
  });
});
