// The service's defenses against abuse of its own routes: failure throttling that cannot lock out a
// valid key, revocation ending sessions, login CSRF, metric label injection, and client input that
// must be a 4xx, never a 500.
import { randomUUID } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { createApiKeyStore, type ApiKeyStore } from "../../src/server/api-keys.js";
import { createApp, type AppDependencies, type LedgerApp } from "../../src/server/app.js";
import { createFailureThrottle } from "../../src/server/failure-throttle.js";
import { mountMetricsRoutes } from "../../src/server/metrics-routes.js";
import { createServerMetrics } from "../../src/server/server-metrics.js";
import { mountDashboard } from "../../src/server/static-files.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/index.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

/** `app.request` addresses http://localhost: the dashboard's own requests carry this Origin. */
const dashboardOrigin = "http://localhost";
const json = { origin: dashboardOrigin, "content-type": "application/json" };

describeEachEngine("HTTP service defenses", (context) => {
  let store: TelemetryStore;
  let keys: ApiKeyStore;
  const created: Record<string, { key: string; id: string }> = {};

  const appWith = (overrides: Partial<AppDependencies> = {}): LedgerApp =>
    createApp({
      keys,
      logger: silentLogger,
      routes: [
        mountMetricsRoutes({ store, metrics: createServerMetrics() }),
        (app) => mountDashboard(app),
        (app, guards) => {
          app.post("/v1/probe/cookie", guards.read, (c) => c.json({ changed: true }));
          app.post("/v1/probe/bearer", guards.ingest, async (c) => c.json({ body: await c.req.text() }));
        },
      ],
      ...overrides,
    });
  const signIn = async (app: LedgerApp, key: string) => {
    const response = await app.request("/v1/session", {
      method: "POST",
      headers: json,
      body: JSON.stringify({ key }),
    });
    expect(response.status).toBe(200);
    return response.headers.get("set-cookie")!.split(";")[0]!;
  };

  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
    keys = createApiKeyStore({ database: store.database, schema: store.schema });
    for (const scope of ["read", "ingest", "admin"] as const) {
      const made = await keys.create({ name: `${scope} key`, scopes: [scope] });
      created[scope] = { key: made.key, id: made.info.id };
    }
  });

  it("never refuses a valid key, however many wrong ones came from the same address", async () => {
    const app = appWith({ throttle: createFailureThrottle({ limit: 3 }) });
    const wrong = `${created.read!.key.slice(0, 12)}${"x".repeat(35)}`; // the valid key's own prefix
    for (let attempt = 0; attempt < 5; attempt++) {
      await app.request("/metrics", { headers: { authorization: `Bearer ${wrong}` } });
      await app.request("/v1/session", {
        method: "POST",
        headers: json,
        body: JSON.stringify({ key: wrong }),
      });
    }
    expect((await app.request("/metrics", { headers: { authorization: `Bearer ${wrong}` } })).status).toBe(
      429,
    );
    const valid = await app.request("/metrics", {
      headers: { authorization: `Bearer ${created.read!.key}` },
    });
    expect(valid.status).toBe(200);
    await signIn(app, created.read!.key);
  });

  it("throttles per claimed key prefix, and does not count requests that carried no key", async () => {
    const app = appWith({ throttle: createFailureThrottle({ limit: 3 }) });
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await app.request("/metrics")).status).toBe(401);
      expect((await app.request(`/metrics?key=${attempt}`)).status).toBe(401);
    }
    const first = "Bearer llk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    const other = "Bearer llk_BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB";
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await app.request("/metrics", { headers: { authorization: first } })).status).toBe(401);
    }
    expect((await app.request("/metrics", { headers: { authorization: first } })).status).toBe(429);
    expect((await app.request("/metrics", { headers: { authorization: other } })).status).toBe(401);
  });

  it("ends a key's dashboard sessions when the key is revoked through the admin API", async () => {
    const app = appWith();
    const reader = await keys.create({ name: "revoked reader", scopes: ["read"] });
    const cookie = await signIn(app, reader.key);
    expect((await app.request("/v1/session", { headers: { cookie } })).status).toBe(200);
    const revoke = await app.request(`/v1/admin/keys/${reader.info.id}`, {
      method: "DELETE",
      headers: { authorization: `Bearer ${created.admin!.key}` },
    });
    expect(revoke.status).toBe(200);
    expect((await app.request("/v1/session", { headers: { cookie } })).status).toBe(401);
    expect((await app.request("/metrics", { headers: { cookie } })).status).toBe(401);
  });

  it("ends a key's sessions within seconds when the key is revoked elsewhere (the CLI on the database)", async () => {
    let now = Date.now();
    const serverKeys = createApiKeyStore({ database: store.database, schema: store.schema, now: () => now });
    const app = appWith({ keys: serverKeys });
    const reader = await keys.create({ name: "revoked elsewhere", scopes: ["read"] });
    const cookie = await signIn(app, reader.key);
    expect((await app.request("/v1/session", { headers: { cookie } })).status).toBe(200);
    await createApiKeyStore({ database: store.database, schema: store.schema }).revoke(reader.info.id);
    now += 6_000;
    expect((await app.request("/v1/session", { headers: { cookie } })).status).toBe(401);
  });

  it("refuses cross-site sign-in (login CSRF): text/plain forms, foreign or missing Origin", async () => {
    const app = appWith({ throttle: createFailureThrottle({ limit: 2 }) });
    const body = JSON.stringify({ key: created.read!.key });
    const attempt = (headers: Record<string, string>) =>
      app.request("/v1/session", { method: "POST", headers, body });
    // What a cross-site page's `no-cors` fetch or form can send.
    const crossSite = await attempt({ origin: "https://evil.example", "content-type": "text/plain" });
    expect(crossSite.status).toBe(403);
    expect(crossSite.headers.get("set-cookie")).toBeNull();
    expect(
      (await attempt({ origin: "https://evil.example", "content-type": "application/json" })).status,
    ).toBe(403);
    expect((await attempt({ origin: "null", "content-type": "application/json" })).status).toBe(403);
    expect((await attempt({ "content-type": "application/json" })).status).toBe(403);
    expect((await attempt({ origin: dashboardOrigin, "content-type": "text/plain" })).status).toBe(415);
    expect((await attempt(json)).status).toBe(200);
    // A cross-site page sending wrong keys is refused before they are checked, so it counts for nothing.
    const wrong = JSON.stringify({ key: "llk_CrossSiteGuessCrossSiteGuessCrossSiteGue" });
    for (let flood = 0; flood < 5; flood++) {
      const response = await app.request("/v1/session", {
        method: "POST",
        headers: { origin: "https://evil.example", "content-type": "text/plain" },
        body: wrong,
      });
      expect(response.status).toBe(403);
    }
    const own = await app.request("/v1/session", { method: "POST", headers: json, body: wrong });
    expect(own.status).toBe(401);
  });

  it("requires same-origin JSON for state changes a session cookie can reach; Bearer routes keep their content types", async () => {
    const app = appWith();
    const cookie = await signIn(app, created.read!.key);
    const post = (headers: Record<string, string>) =>
      app.request("/v1/probe/cookie", { method: "POST", headers: { cookie, ...headers }, body: "{}" });
    expect((await post({ origin: "https://evil.example", "content-type": "text/plain" })).status).toBe(403);
    expect((await post({ "content-type": "application/json" })).status).toBe(403);
    expect((await post({ origin: dashboardOrigin, "content-type": "text/plain" })).status).toBe(415);
    expect((await post(json)).status).toBe(200);
    const signOutCrossSite = await app.request("/v1/session", {
      method: "DELETE",
      headers: { cookie, origin: "https://evil.example" },
    });
    expect(signOutCrossSite.status).toBe(403);
    expect((await app.request("/v1/session", { headers: { cookie } })).status).toBe(200);
    const bearer = await app.request("/v1/probe/bearer", {
      method: "POST",
      headers: { authorization: `Bearer ${created.ingest!.key}`, "content-type": "text/plain" },
      body: "raw",
    });
    expect(await bearer.json()).toEqual({ body: "raw" });
  });

  it("escapes /metrics label values: a provider name cannot inject a line", async () => {
    const app = appWith();
    const provider = 'x\nfake_metric 1\\"';
    await store.recordLlmCosts([
      {
        eventId: randomUUID(),
        createdAt: new Date(),
        repo: "acme/api",
        taskType: "review",
        model: "gpt-4o-mini",
        provider,
        sdk: "http",
        inputTokens: 10,
        outputTokens: 1,
        estimatedCostUsd: "0.000001",
        priced: true,
        pricingVersion: createPricing().version,
      },
    ]);
    const text = await (
      await app.request("/metrics", { headers: { authorization: `Bearer ${created.read!.key}` } })
    ).text();
    const lines = text.trimEnd().split("\n");
    expect(lines.some((line) => line.startsWith("fake_metric"))).toBe(false);
    for (const line of lines) {
      // A comment, or one sample: name, optional labels of escaped strings, value.
      expect(line).toMatch(/^(# .*|[a-z_]+(\{([a-z_]+="([^"\\\n]|\\[\\"n])*",?)*\})? \S+)$/);
    }
    expect(text).toContain(`provider="x\\nfake_metric 1\\\\\\""`);
  });

  it("answers malformed client input with a 4xx, never a 500", async () => {
    const app = appWith();
    for (const path of ["/assets/%", "/assets/%ff", "/assets/%E0%A4%A"]) {
      const response = await app.request(path);
      expect(response.status, path).toBeGreaterThanOrEqual(400);
      expect(response.status, path).toBeLessThan(500);
    }
    const admin = { authorization: `Bearer ${created.admin!.key}` };
    const nul = await app.request("/v1/admin/keys", {
      method: "POST",
      headers: admin,
      body: JSON.stringify({ name: "a\u0000b", scopes: ["read"] }),
    });
    expect(nul.status).toBe(400);
    const huge = await app.request(`/v1/admin/keys/${"9".repeat(21)}`, { method: "DELETE", headers: admin });
    expect(huge.status).toBe(404);
  });
});
