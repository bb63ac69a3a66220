// GET /v1/reconciliation over a real HTTP server on every engine: the scenario's exact answer for an
// admin key, the admin scope required, and precise 400s for bad parameters.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { createKeyVia } from "../support/admin-keys.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";
import {
  expectedReconciliation,
  scenarioWindow,
  seedReconcileScenario,
} from "./support/reconcile-scenario.js";

const adminKey = "reconciliation-route-admin-key-0123456789";

describeEachEngine("GET /v1/reconciliation", (context) => {
  let server: RunningServer;
  let readKey = "";
  const get = (params: Record<string, string> | string, key = adminKey) =>
    fetch(`${server.url}/v1/reconciliation?${new URLSearchParams(params).toString()}`, {
      headers: key ? { authorization: `Bearer ${key}` } : {},
    });

  beforeAll(async () => {
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
    });
    await seedReconcileScenario(context.database(), context.schema);
    readKey = await createKeyVia(server.url, adminKey, { name: "reader", scopes: ["read"] });
  });
  afterAll(async () => {
    await server.close();
  });

  it("answers the bills reconciliation exactly, as the library and the CLI do", async () => {
    const response = await get(scenarioWindow);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(expectedReconciliation);
    const converted = await get(
      `from=${scenarioWindow.from}&to=${scenarioWindow.to}&by=provider&rate=EUR=1.08`,
    );
    expect(((await converted.json()) as typeof expectedReconciliation).rows).toEqual([
      expect.objectContaining({ provider: "anthropic", billedUsd: "4.255" }),
      expect.objectContaining({ provider: "openai", billedUsd: "0.932", differencePercent: "-6.8" }),
    ]);
    const sdk = await get({ ...scenarioWindow, against: "sdk" });
    expect(((await sdk.json()) as { rows: unknown[] }).rows[0]).toMatchObject({ model: "claude-sonnet-4-5" });
  });

  it("needs an admin key of every project: a bill is the organization's", async () => {
    expect((await get(scenarioWindow, "")).status).toBe(401);
    const read = await get(scenarioWindow, readKey);
    expect(read.status).toBe(403);
    expect(await read.json()).toMatchObject({ error: { code: "E_SCOPE" } });
    const boundAdmin = await createKeyVia(server.url, adminKey, {
      name: "bound admin",
      scopes: ["admin"],
      project: "default",
    });
    const bound = await get(scenarioWindow, boundAdmin);
    expect(bound.status).toBe(403);
    expect(await bound.json()).toMatchObject({ error: { code: "E_PROJECT_SCOPE" } });
  });

  it("answers the session cookie of a dashboard signed in with an admin key, not one signed in with a read key", async () => {
    const cookieOf = async (key: string) => {
      const signIn = await fetch(`${server.url}/v1/session`, {
        method: "POST",
        headers: { "content-type": "application/json", origin: server.url },
        body: JSON.stringify({ key }),
      });
      expect(signIn.status).toBe(200);
      return (signIn.headers.get("set-cookie") ?? "").split(";")[0]!;
    };
    const url = `${server.url}/v1/reconciliation?${new URLSearchParams(scenarioWindow).toString()}`;
    const admin = await fetch(url, { headers: { cookie: await cookieOf(adminKey) } });
    expect(admin.status).toBe(200);
    expect(await admin.json()).toEqual(expectedReconciliation);
    const reader = await fetch(url, { headers: { cookie: await cookieOf(readKey) } });
    expect(reader.status).toBe(403);
    expect(await reader.json()).toMatchObject({ error: { code: "E_SCOPE" } });
  });

  it("answers bad parameters with a precise 400", async () => {
    const cases: Array<[string, string, RegExp]> = [
      [
        "by=repo",
        "E_QUERY_DIMENSION",
        /by: a bill reconciliation groups by day, provider, model, got 'repo'/,
      ],
      ["rate=EUR", "E_QUERY_OPTIONS", /rate must be CURRENCY=DOLLARS/],
      ["rate=EUR=-1", "E_QUERY_OPTIONS", /the EUR rate must be a positive decimal/],
      ["against=invoice", "E_QUERY_PARAM", /against must be bills or sdk/],
      ["against=sdk&by=day", "E_QUERY_PARAM", /by and rate apply to against=bills/],
      ["grain=day", "E_QUERY_PARAM", /unknown query parameter 'grain'/],
      ["from=yesterday", "E_QUERY_RANGE", /from: expected a Date or an ISO 8601 string/],
    ];
    for (const [query, code, message] of cases) {
      const response = await get(query);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code, query).toBe(code);
      expect(body.error.message, query).toMatch(message);
    }
  });
});
