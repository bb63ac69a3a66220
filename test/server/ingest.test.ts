import { createProjectStore } from "../../src/projects/index.js";
import { randomUUID } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { createApiKeyStore } from "../../src/server/api-keys.js";
import { createApp, type LedgerApp } from "../../src/server/app.js";
import { createFailureThrottle } from "../../src/server/failure-throttle.js";
import { mountCostRoutes } from "../../src/server/cost-routes.js";
import { mountIngestRoutes } from "../../src/server/ingest-routes.js";
import { mountMetricsRoutes } from "../../src/server/metrics-routes.js";
import { mountPricingRoutes } from "../../src/server/pricing-routes.js";
import { createServerMetrics } from "../../src/server/server-metrics.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/index.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

/** A deterministic PRNG so a failing fuzz case can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}

describeEachEngine("POST /v1/events and the read routes", (context) => {
  let store: TelemetryStore;
  let app: LedgerApp;
  const keys: Record<string, string> = {};

  const post = (body: string | Uint8Array, key = keys.ingest) =>
    app.request("/v1/events", { method: "POST", body, headers: { authorization: `Bearer ${key}` } });
  const count = async () =>
    Number(
      (
        await context
          .database()
          .query<{ n: string }>(`SELECT count(*) AS n FROM "${context.schema}".llm_cost_events`)
      )[0]!.n,
    );
  const validEvent = (overrides: Record<string, unknown> = {}) => ({
    eventId: randomUUID(),
    repo: "acme/api",
    taskType: "review",
    model: "gpt-4o-mini",
    provider: "openai",
    inputTokens: 1_000_000,
    outputTokens: 0,
    ...overrides,
  });

  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
    const keyStore = createApiKeyStore({ database: store.database, schema: store.schema });
    // Keys of every project: /metrics shows the service's ingest counters to those only.
    for (const scope of ["read", "ingest", "admin"] as const) {
      keys[scope] = (await keyStore.create({ name: scope, scopes: [scope], project: null })).key;
    }
    const pricing = createPricing();
    const metrics = createServerMetrics();
    app = createApp({
      keys: keyStore,
      logger: silentLogger,
      throttle: createFailureThrottle({ limit: 1_000_000 }),
      routes: [
        mountIngestRoutes({
          store,
          projects: createProjectStore(store),
          pricing,
          logger: silentLogger,
          metrics,
        }),
        mountCostRoutes(store),
        mountPricingRoutes(pricing),
        mountMetricsRoutes({ store, metrics }),
      ],
    });
  });

  const routes = [
    {
      method: "POST",
      path: "/v1/events",
      scope: "ingest",
      body: JSON.stringify({ events: [] }),
      cookie: false,
    },
    { method: "GET", path: "/v1/costs", scope: "read", cookie: true },
    { method: "GET", path: "/v1/pricing?model=gpt-4o-mini", scope: "read", cookie: true },
    { method: "GET", path: "/metrics", scope: "read", cookie: true },
    { method: "GET", path: "/v1/events?limit=5", scope: "read", cookie: true },
  ] as const;
  for (const route of routes) {
    it(`${route.method} ${route.path}: no key 401, wrong key 401, wrong scope 403, right key 2xx`, async () => {
      const call = (authorization?: string) =>
        app.request(route.path, {
          method: route.method,
          headers: authorization ? { authorization } : {},
          ...("body" in route ? { body: route.body } : {}),
        });
      expect((await call()).status).toBe(401);
      expect((await call("Bearer llk_this_is_not_a_valid_key_at_all_00000")).status).toBe(401);
      expect((await call(`Bearer ${route.scope === "read" ? keys.ingest : keys.read}`)).status).toBe(403);
      expect((await call(`Bearer ${keys[route.scope]}`)).status).toBe(200);
    });
  }

  it("commits valid events, prices them itself, and answers what it did", async () => {
    const before = await count();
    const events = Array.from({ length: 30 }, () => validEvent());
    const response = await post(JSON.stringify({ events }));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ accepted: 30, duplicates: 0, rejected: [] });
    expect(await count()).toBe(before + 30);
    const [row] = await context
      .database()
      .query<{ cost: string; sdk: string; priced: boolean }>(
        `SELECT estimated_cost_usd::text AS cost, sdk, priced FROM "${context.schema}".llm_cost_events WHERE event_id = $1`,
        [events[0]!.eventId],
      );
    // gpt-4o-mini input: $0.15 per million tokens (OpenAI list price).
    expect(row).toEqual({ cost: "0.150000000000", sdk: "http", priced: true });

    const again = await post(JSON.stringify({ events }));
    expect(await again.json()).toEqual({ accepted: 0, duplicates: 30, rejected: [] });
    expect(await count()).toBe(before + 30);
  });

  it("answers concurrent requests from one group commit with each request's own counts", async () => {
    const before = await count();
    const shared = validEvent();
    const stored = validEvent();
    await post(JSON.stringify({ events: [stored] }));
    const bodies = Array.from({ length: 12 }, (_, index) => ({
      events: [
        validEvent(),
        validEvent(),
        ...(index % 3 === 0 ? [shared] : []),
        ...(index === 5 ? [stored, stored] : []),
      ],
    }));
    const answers = (await Promise.all(
      bodies.map(async (body) => (await post(JSON.stringify(body))).json()),
    )) as Array<{ accepted: number; duplicates: number }>;
    // Each request inserts its two fresh events; `shared` is inserted by exactly one request and
    // counted as a duplicate by the other three; `stored` twice is two duplicates.
    expect(answers.reduce((sum, answer) => sum + answer.accepted, 0)).toBe(12 * 2 + 1);
    expect(answers.reduce((sum, answer) => sum + answer.duplicates, 0)).toBe(3 + 2);
    expect(answers[5]).toMatchObject({ duplicates: 2 });
    expect(await count()).toBe(before + 1 + 12 * 2 + 1);
  });

  it("generates an eventId where one is missing and stamps the time", async () => {
    const { eventId: _drop, ...withoutId } = validEvent();
    const response = await post(JSON.stringify({ events: [withoutId] }));
    expect(await response.json()).toMatchObject({ accepted: 1 });
  });

  it("rejects bad events by index with a reason and keeps the good ones", async () => {
    const good = validEvent();
    const soon = new Date(Date.now() + 60_000).toISOString();
    const later = new Date(Date.now() + 10 * 60_000).toISOString();
    const events = [
      { ...validEvent(), inputTokens: -1 },
      good,
      { ...validEvent(), estimatedCostUsd: "0.01" },
      { ...validEvent(), createdAt: later },
      { ...validEvent(), colour: "blue" },
      "not an event",
      { ...validEvent(), createdAt: "yesterday-ish" },
      { ...validEvent(), createdAt: soon },
    ];
    const response = await post(JSON.stringify({ events }));
    expect(response.status).toBe(200);
    const answer = (await response.json()) as {
      accepted: number;
      rejected: Array<{ index: number; error: string }>;
    };
    expect(answer.accepted).toBe(2);
    expect(answer.rejected.map((rejection) => rejection.index)).toEqual([0, 2, 3, 4, 5, 6]);
    expect(answer.rejected[0]!.error).toContain("inputTokens must not be negative");
    expect(answer.rejected[1]!.error).toContain("estimatedCostUsd is computed by the server");
    expect(answer.rejected[2]!.error).toContain("more than 5 minutes in the future");
    expect(answer.rejected[3]!.error).toContain('unknown field "colour"');
  });

  it("prices an Agent SDK event with the sender's agentCost: the provider's figure leads with \"sdk\"", async () => {
    const agentEvent = (agentCost?: unknown) =>
      validEvent({ sdk: "agent", providerCostUsd: "0.5", ...(agentCost === undefined ? {} : { agentCost }) });
    const events = [agentEvent(), agentEvent("catalog"), agentEvent("sdk"), agentEvent("always")];
    const answer = (await (await post(JSON.stringify({ events }))).json()) as {
      accepted: number;
      rejected: Array<{ index: number; error: string }>;
    };
    expect(answer.accepted).toBe(3);
    expect(answer.rejected).toEqual([{ index: 3, error: 'agentCost must be "catalog" or "sdk"' }]);
    const rows = await context
      .database()
      .query<{ event_id: string; cost: string; cost_source: string; provider_cost: string }>(
        `SELECT event_id::text, estimated_cost_usd::text AS cost, cost_source, provider_cost_usd::text AS provider_cost
           FROM "${context.schema}".llm_cost_events WHERE event_id = ANY($1::uuid[])`,
        [events.map((event) => event.eventId)],
      );
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    // gpt-4o-mini is priced: the catalog leads by default and with "catalog", the SDK's figure with "sdk".
    for (const event of events.slice(0, 2)) {
      expect(byId.get(event.eventId)).toMatchObject({ cost: "0.150000000000", cost_source: "catalog" });
    }
    expect(byId.get(events[2]!.eventId)).toMatchObject({ cost: "0.500000000000", cost_source: "provider" });
    expect(byId.has(events[3]!.eventId)).toBe(false);
  });

  it("answers 400 for a body that is not JSON or not { events: [...] }, and 413 when too large", async () => {
    for (const body of ["{", "[]", "null", '{"events": {}}', '"x"', '{"evts": []}']) {
      const response = await post(body);
      expect(response.status, body).toBe(400);
      expect(await response.json()).toMatchObject({ error: { message: expect.any(String) as unknown } });
    }
    const tooMany = await post(JSON.stringify({ events: Array.from({ length: 1001 }, () => validEvent()) }));
    expect(tooMany.status).toBe(413);
    const tooBig = await post(JSON.stringify({ events: [validEvent({ error: "x".repeat(1024 * 1024) })] }));
    expect(tooBig.status).toBe(413);
  });

  it("never answers 5xx to 10,000 random bodies, and loses no valid event among them", async () => {
    const next = random(20261123);
    const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
    const junkValues = [
      null,
      true,
      0,
      -1,
      1.5,
      NaN,
      "",
      "x",
      [],
      {},
      { __proto__: { polluted: 1 } },
      1e300,
      "1e9",
      [1, 2],
      // Hostile text: lone surrogates (refused), NUL (refused), formula starts and line breaks (kept).
      "\uD800",
      "a\uDFFFb",
      "x\u0000y",
      "=HYPERLINK(1)",
      "+1",
      "-2",
      "@cmd",
      "line\nbreak",
      "\r\n",
      "tab\there",
      { note: "\uD800" },
      JSON.parse(`{"\\udbff": 1}`) as unknown,
      { list: ["=1", "\uDC00"] },
    ];
    const validIds = new Set<string>();
    const randomEvent = (): unknown => {
      const event: Record<string, unknown> = validEvent({
        model: pick(["gpt-4o-mini", "claude-haiku-4-5", "unknown-model-x"]),
      });
      // Mostly invalid: a body writes to the database only when one of its events is valid.
      const valid = next() < 0.04;
      if (!valid) {
        const field = pick([
          "repo",
          "taskType",
          "model",
          "inputTokens",
          "outputTokens",
          "cacheReadTokens",
          "createdAt",
          "eventId",
          "usedFallback",
          "durationMs",
          "metadata",
          "providerCostUsd",
          "sdk",
          "provider",
          "userId",
          "sessionId",
          "environment",
          "error",
        ]);
        event[field] = pick(junkValues);
        if (next() < 0.2) return pick(junkValues);
      }
      // An invalid mutation may happen to be valid (e.g. usedFallback: true): the server decides.
      return { event, candidate: true };
    };
    let fiveHundreds = 0;
    for (let index = 0; index < 10_000; index++) {
      const kind = next();
      let body: string | Uint8Array;
      let sent: Array<Record<string, unknown>> = [];
      if (kind < 0.03)
        // Random bytes: invalid UTF-8 as often as not.
        body = Uint8Array.from({ length: Math.floor(next() * 40) }, () => Math.floor(next() * 256));
      else if (kind < 0.15)
        body = Array.from({ length: Math.floor(next() * 40) }, () =>
          String.fromCharCode(Math.floor(next() * 128)),
        ).join("");
      else if (kind < 0.3) body = JSON.stringify(pick(junkValues));
      else if (kind < 0.35) body = JSON.stringify({ events: pick(junkValues) });
      else {
        const items = Array.from({ length: 1 + Math.floor(next() * 4) }, randomEvent);
        sent = items.flatMap((item) =>
          typeof item === "object" && item !== null && "candidate" in item
            ? [(item as unknown as { event: Record<string, unknown> }).event]
            : [],
        );
        body = JSON.stringify({
          events: items.map((item) =>
            typeof item === "object" && item !== null && "candidate" in item
              ? (item as unknown as { event: unknown }).event
              : item,
          ),
        });
      }
      const response = await post(body);
      if (response.status >= 500) fiveHundreds++;
      if (response.status === 200 && sent.length > 0) {
        const answer = (await response.json()) as { rejected: Array<{ index: number }> };
        const rejectedIndexes = new Set(answer.rejected.map((rejection) => rejection.index));
        const parsedEvents = (JSON.parse(body as string) as { events: unknown[] }).events;
        parsedEvents.forEach((event, position) => {
          if (!rejectedIndexes.has(position) && typeof event === "object" && event !== null) {
            const id = (event as { eventId?: unknown }).eventId;
            if (typeof id === "string") validIds.add(id.toLowerCase());
          }
        });
      } else {
        expect(response.status).toBeLessThan(500);
      }
    }
    expect(fiveHundreds).toBe(0);
    const ids = [...validIds];
    const stored = await context
      .database()
      .query<{ n: string }>(
        `SELECT count(*) AS n FROM "${context.schema}".llm_cost_events WHERE event_id = ANY($1::uuid[])`,
        [ids],
      );
    expect(Number(stored[0]!.n)).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(200);
  }, 240_000);

  it("serves costs as JSON and CSV, pricing answers, and Prometheus metrics", async () => {
    const read = { authorization: `Bearer ${keys.read}` };
    await post(JSON.stringify({ events: [validEvent(), validEvent(), validEvent()] }));
    const costs = (await (
      await app.request("/v1/costs?groupBy=provider&provider=openai", { headers: read })
    ).json()) as {
      rows: Array<{ provider: string; costUsd: string }>;
      source: string;
    };
    expect(costs.rows.map((row) => row.provider)).toEqual(["openai"]);
    const csv = await app.request("/v1/costs?groupBy=provider", { headers: { ...read, accept: "text/csv" } });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect((await csv.text()).split("\n")[0]).toBe(
      "provider,costUsd,providerCostUsd,inputTokens,outputTokens,cacheReadTokens,cacheWriteTokens,cacheWrite1hTokens,reasoningTokens,events,fallbacks,errors,unpriced",
    );
    const badParam = await app.request("/v1/costs?groupBy=colour", { headers: read });
    expect(badParam.status).toBe(400);
    const pricing = (await (
      await app.request("/v1/pricing?model=openai/gpt-4o-mini-2024-07-18", { headers: read })
    ).json()) as {
      model: string;
    };
    expect(pricing.model).toBe("gpt-4o-mini");
    expect((await app.request("/v1/pricing?model=no-such-model-zz", { headers: read })).status).toBe(404);
    const firstPage = (await (
      await app.request("/v1/events?limit=2&provider=openai", { headers: read })
    ).json()) as {
      events: Array<{ eventId: string; provider: string }>;
      nextCursor: string | null;
    };
    expect(firstPage.events).toHaveLength(2);
    expect(firstPage.events.every((event) => event.provider === "openai")).toBe(true);
    const secondPage = (await (
      await app.request(
        `/v1/events?limit=2&provider=openai&cursor=${encodeURIComponent(firstPage.nextCursor!)}`,
        { headers: read },
      )
    ).json()) as { events: Array<{ eventId: string }> };
    expect(secondPage.events.map((event) => event.eventId)).not.toContain(firstPage.events[0]!.eventId);
    expect((await app.request("/v1/events?groupBy=model", { headers: read })).status).toBe(400);
    const metrics = await (await app.request("/metrics", { headers: read })).text();
    expect(metrics).toMatch(/^llm_ledger_ingest_events_written_total \d+$/m);
    expect(metrics).toMatch(/^llm_ledger_spend_usd\{project="default",provider="openai"\} [\d.]+$/m);
  });
});
