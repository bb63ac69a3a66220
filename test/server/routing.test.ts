// The service's routing as a whole, as a client sees it: which method and path pairs exist (everything
// else is a plain 404, whoever asks), HEAD answered as GET without a body, the security headers on
// every answer, and the order in which a guarded route checks a request (key, then origin, then size,
// then body).
import { createProjectStore } from "../../src/projects/index.js";
import { beforeAll, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { createApiKeyStore } from "../../src/server/api-keys.js";
import { createApp, type LedgerApp } from "../../src/server/app.js";
import { mountCostRoutes } from "../../src/server/cost-routes.js";
import { createFailureThrottle } from "../../src/server/failure-throttle.js";
import { mountIngestRoutes } from "../../src/server/ingest-routes.js";
import { mountMetricsRoutes } from "../../src/server/metrics-routes.js";
import { mountPricingRoutes } from "../../src/server/pricing-routes.js";
import { createServerMetrics } from "../../src/server/server-metrics.js";
import type { ServerLogger } from "../../src/server/server-logger.js";
import { mountDashboard } from "../../src/server/static-files.js";
import { createTelemetryStore } from "../../src/store/index.js";
import { describeEachEngine } from "../support/databases.js";

const silent: ServerLogger = { info() {}, warn() {}, error() {} };
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describeEachEngine("the service's routes", (context) => {
  let app: LedgerApp;
  const keys: Record<"read" | "ingest" | "admin", string> = { read: "", ingest: "", admin: "" };

  beforeAll(async () => {
    const store = await createTelemetryStore({ database: context.database(), schema: context.schema });
    const keyStore = createApiKeyStore({ database: store.database, schema: store.schema });
    for (const scope of ["read", "ingest", "admin"] as const) {
      keys[scope] = (await keyStore.create({ name: scope, scopes: [scope] })).key;
    }
    const pricing = createPricing();
    const metrics = createServerMetrics();
    app = createApp({
      keys: keyStore,
      logger: silent,
      throttle: createFailureThrottle({ limit: 1_000_000 }),
      routes: [
        mountIngestRoutes({ store, projects: createProjectStore(store), pricing, logger: silent, metrics }),
        mountCostRoutes(store),
        mountPricingRoutes(pricing),
        mountMetricsRoutes({ store, metrics, pricing }),
        (ledgerApp) => mountDashboard(ledgerApp),
      ],
    });
  });

  // Methods a route does not serve, paths below a route, trailing slashes and made-up paths.
  const unknown: Array<[string, string]> = [
    ["POST", "/v1/costs"],
    ["DELETE", "/v1/costs"],
    ["OPTIONS", "/v1/costs"],
    ["GET", "/v1/costs/"],
    ["GET", "/v1/costs/x"],
    ["PUT", "/v1/events"],
    ["OPTIONS", "/v1/events"],
    ["POST", "/v1/events/abc"],
    ["DELETE", "/v1/events/abc"],
    ["GET", "/v1/events/a/b"],
    ["POST", "/v1/pricing"],
    ["GET", "/v1/pricing/x"],
    ["POST", "/metrics"],
    ["GET", "/metrics/x"],
    ["PUT", "/v1/admin/keys"],
    ["DELETE", "/v1/admin/keys"],
    ["GET", "/v1/admin/keys/1"],
    ["POST", "/v1/admin/keys/1"],
    ["DELETE", "/v1/admin/keys/1/x"],
    ["PUT", "/v1/session"],
    ["PATCH", "/v1/session"],
    ["GET", "/v1/session/x"],
    ["POST", "/healthz"],
    ["POST", "/"],
    ["POST", "/assets/app.js"],
    ["GET", "/v1"],
    ["GET", "/v1/admin"],
    ["GET", "/nope"],
  ];
  for (const [method, path] of unknown) {
    it(`${method} ${path}: 404 with no key and with the admin key`, async () => {
      for (const headers of [{}, bearer(keys.admin)]) {
        const response = await app.request(path, { method, headers });
        expect(response.status, JSON.stringify(headers)).toBe(404);
        expect(await response.json()).toEqual({ error: { code: "E_NOT_FOUND", message: "no such route" } });
      }
    });
  }

  it("answers HEAD as GET, without a body", async () => {
    const health = await app.request("/healthz", { method: "HEAD" });
    expect(health.status).toBe(200);
    expect(await health.text()).toBe("");
    const page = await app.request("/", { method: "HEAD" });
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect((await app.request("/v1/costs", { method: "HEAD" })).status).toBe(401);
    const costs = await app.request("/v1/costs", { method: "HEAD", headers: bearer(keys.read) });
    expect(costs.status).toBe(200);
    expect(await costs.text()).toBe("");
    expect((await app.request("/v1/admin/keys", { method: "HEAD", headers: bearer(keys.read) })).status).toBe(
      403,
    );
    expect((await app.request("/v1/events", { method: "HEAD", headers: bearer(keys.ingest) })).status).toBe(
      403,
    );
  });

  it("puts the security headers on every answer: data, refusals, the dashboard and 404s", async () => {
    const answers = [
      await app.request("/healthz"),
      await app.request("/v1/costs", { headers: bearer(keys.read) }),
      await app.request("/v1/costs"),
      await app.request("/v1/events", { method: "POST", headers: bearer(keys.read), body: "{}" }),
      await app.request("/"),
      await app.request("/nope"),
    ];
    for (const response of answers) {
      expect(response.headers.get("content-security-policy"), response.url).toContain("default-src 'self'");
      expect(response.headers.get("x-content-type-options")).toBe("nosniff");
      expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    }
  });

  it("routes POST and GET /v1/events to ingest and to the event list, each under its own scope", async () => {
    const posted = await app.request("/v1/events", {
      method: "POST",
      headers: bearer(keys.ingest),
      body: JSON.stringify({ events: [] }),
    });
    expect(await posted.json()).toEqual({ accepted: 0, duplicates: 0, rejected: [] });
    expect((await app.request("/v1/events", { headers: bearer(keys.ingest) })).status).toBe(403);
    const listed = await app.request("/v1/events?limit=1", { headers: bearer(keys.read) });
    expect(listed.status).toBe(200);
    expect(await listed.json()).toHaveProperty("events");
    const post = (key: string) =>
      app.request("/v1/events", { method: "POST", headers: bearer(key), body: "{}" });
    expect((await post(keys.read)).status).toBe(403);
  });

  it("checks the key before the body on ingest and key creation: 401, then 400 or 413", async () => {
    const huge = "x".repeat(2 * 1024 * 1024);
    const send = (path: string, body: string, headers: Record<string, string>) =>
      app.request(path, { method: "POST", body, headers });
    expect((await send("/v1/events", huge, {})).status).toBe(401);
    expect((await send("/v1/events", "not json", bearer(keys.ingest))).status).toBe(400);
    const tooLarge = await send("/v1/events", huge, bearer(keys.ingest));
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: { code: "E_TOO_LARGE" } });
    expect((await send("/v1/admin/keys", huge, {})).status).toBe(401);
    expect((await send("/v1/admin/keys", huge, bearer(keys.read))).status).toBe(403);
    expect((await send("/v1/admin/keys", huge, bearer(keys.admin))).status).toBe(413);
    expect((await send("/v1/admin/keys", "{}", bearer(keys.admin))).status).toBe(400);
  });

  it("checks a sign-in's declared size, then its origin, then its content type, then its body", async () => {
    const signIn = (headers: Record<string, string>, body = "{}") =>
      app.request("/v1/session", { method: "POST", headers, body });
    const sameOrigin = { origin: "http://localhost", "content-type": "application/json" };
    const declaredLarge = await signIn({ origin: "https://elsewhere.example", "content-length": "5000" });
    expect(declaredLarge.status).toBe(413);
    const crossSite = await signIn({
      origin: "https://elsewhere.example",
      "content-type": "application/json",
    });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toMatchObject({ error: { code: "E_CROSS_ORIGIN" } });
    expect((await signIn({ origin: "http://localhost", "content-type": "text/plain" })).status).toBe(415);
    expect((await signIn(sameOrigin, "{")).status).toBe(400);
    expect((await signIn(sameOrigin, JSON.stringify({ key: 42 }))).status).toBe(400);
    expect((await signIn(sameOrigin, JSON.stringify({ key: keys.ingest }))).status).toBe(403);
    expect((await signIn(sameOrigin, JSON.stringify({ key: keys.read }))).status).toBe(200);
    const signOut = await app.request("/v1/session", { method: "DELETE" });
    expect(signOut.status).toBe(403);
    const signedOut = await app.request("/v1/session", {
      method: "DELETE",
      headers: { origin: "http://localhost" },
    });
    expect(signedOut.status).toBe(204);
  });
});
