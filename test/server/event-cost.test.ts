// GET /v1/events/{eventId}/cost over a real HTTP server on both engines: the explanation adds up to
// the stored cost exactly; read scope; project-scoped exactly like GET /v1/events/{eventId} (another
// project's id answers like a missing one); hostile ids get a precise 400, unknown ones a 404.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { canonicalDecimal } from "../../src/pricing/index.js";
import type { CostExplanation } from "../../src/query/index.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { createKeyVia } from "../support/admin-keys.js";
import { describeEachEngine } from "../support/databases.js";
import { hostileValues, seededRandom } from "../support/hostile-text.js";
import { silentLogger } from "../support/loggers.js";

const adminKey = "event-cost-test-admin-key-0123456789";

describeEachEngine("GET /v1/events/{eventId}/cost", (context) => {
  let server: RunningServer;
  const keys: Record<string, string> = {};
  const event = {
    eventId: randomUUID(),
    repo: "acme/api",
    taskType: "review",
    model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
    provider: "aws-bedrock",
    inputTokens: 1_000,
    outputTokens: 200,
    cacheReadTokens: 5_000,
    cacheWriteTokens: 100,
    cacheWrite1hTokens: 50,
    providerCostUsd: 0.01,
  };
  const alphaEvent = { ...event, eventId: randomUUID(), model: "gpt-4o", provider: "openai" };

  const get = (path: string, key = keys.read) =>
    fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const post = async (events: unknown[], key: string) => {
    const response = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: JSON.stringify({ events }),
    });
    expect(((await response.json()) as { accepted: number }).accepted).toBe(events.length);
  };

  beforeAll(async () => {
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
    });
    for (const slug of ["alpha", "beta"]) {
      const created = await fetch(`${server.url}/v1/projects`, {
        method: "POST",
        headers: { authorization: `Bearer ${adminKey}` },
        body: JSON.stringify({ slug, name: slug }),
      });
      expect(created.status).toBe(201);
    }
    keys.read = await createKeyVia(server.url, adminKey, { name: "read", scopes: ["read"], project: null });
    keys.ingest = await createKeyVia(server.url, adminKey, { name: "ingest", scopes: ["ingest"] });
    for (const slug of ["alpha", "beta"]) {
      for (const scope of ["read", "ingest"]) {
        keys[`${slug}:${scope}`] = await createKeyVia(server.url, adminKey, {
          name: `${slug}-${scope}`,
          scopes: [scope],
          project: slug,
        });
      }
    }
    await post([event], keys.ingest);
    await post([alphaEvent], keys["alpha:ingest"]!);
  });
  afterAll(() => server.close());

  it("explains the cost from the kept rates: each bucket's tokens × rate, adding up to the stored cost", async () => {
    const response = await get(`/v1/events/${event.eventId.toUpperCase()}/cost`);
    expect(response.status).toBe(200);
    const explanation = (await response.json()) as CostExplanation;
    const stored = (await (await get(`/v1/events/${event.eventId}`)).json()) as { estimatedCostUsd: string };
    expect(explanation).toMatchObject({
      eventId: event.eventId,
      project: "default",
      model: event.model,
      provider: "aws-bedrock",
      basis: "rates",
      costSource: "catalog",
      storedCostUsd: canonicalDecimal(stored.estimatedCostUsd),
      totalUsd: canonicalDecimal(stored.estimatedCostUsd),
      addsUp: true,
      providerCostUsd: "0.01",
      fees: [],
      discount: null,
      catalog: { provider: "aws-bedrock", model: "claude-sonnet-4-5", override: false },
      today: { priced: true, costUsd: canonicalDecimal(stored.estimatedCostUsd) },
    });
    expect(explanation.catalog!.matchedBy.length).toBeGreaterThan(0);
    expect(explanation.catalog!.source).toMatch(/^https:\/\//);
    const units = Object.fromEntries(explanation.buckets.map((line) => [line.bucket, line.units]));
    expect(units).toEqual({
      input: 1_000,
      output: 200,
      cache_read: 5_000,
      cache_write: 100,
      cache_write_1h: 50,
    });
    // Bedrock lists no 1-hour price: the line names the rule that priced it.
    expect(explanation.buckets.find((line) => line.bucket === "cache_write_1h")!.rule).toMatch(/2 × input/);
  });

  it("answers another project's event exactly as a missing one, and narrows by ?project=", async () => {
    const missingId = randomUUID();
    const missing = await get(`/v1/events/${missingId}/cost`, keys["beta:read"]);
    const foreign = await get(`/v1/events/${alphaEvent.eventId}/cost`, keys["beta:read"]);
    expect(missing.status).toBe(404);
    expect(foreign.status).toBe(404);
    const body = (await foreign.json()) as { error: { code: string; message: string } };
    expect(body).toEqual(
      JSON.parse(JSON.stringify(await missing.json()).replaceAll(missingId, alphaEvent.eventId)),
    );
    expect((await get(`/v1/events/${event.eventId}/cost`, keys["alpha:read"])).status).toBe(404);
    expect((await get(`/v1/events/${alphaEvent.eventId}/cost`, keys["alpha:read"])).status).toBe(200);
    // A project the key does not see stays invisible even when asked for by name.
    expect((await get(`/v1/events/${alphaEvent.eventId}/cost?project=alpha`, keys["beta:read"])).status).toBe(
      404,
    );
    expect((await get(`/v1/events/${alphaEvent.eventId}/cost?project=beta`)).status).toBe(404);
    const narrowed = await get(`/v1/events/${alphaEvent.eventId}/cost?project=alpha`);
    expect(narrowed.status, await narrowed.clone().text()).toBe(200);
    expect(((await narrowed.json()) as CostExplanation).project).toBe("alpha");
  });

  it("answers 400 for ids that cannot exist, 404 for unknown ones, 403 without read scope, 401 without a key", async () => {
    const random = seededRandom(21);
    const hostile = [
      ...hostileValues(random, 40),
      "not-a-uuid",
      `${event.eventId}x`,
      ` ${event.eventId}`,
      "' OR 1=1 --",
      "\u0000",
      "%",
      "1".repeat(5_000),
    ];
    for (const id of hostile) {
      const response = await get(`/v1/events/${pathSegment(id)}/cost`);
      expect(response.status, JSON.stringify(id)).toBe(400);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("E_QUERY_EVENT_ID");
      expect(body.error.message.length).toBeLessThan(200);
    }
    const unknown = await get(`/v1/events/${randomUUID()}/cost`);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: "E_NOT_FOUND" } });
    expect((await get(`/v1/events/${event.eventId}/cost`, keys.ingest)).status).toBe(403);
    expect((await fetch(`${server.url}/v1/events/${event.eventId}/cost`)).status).toBe(401);
  });
});

/** An id as one path segment; a lone surrogate (no UTF-8 form) as the bytes of an invalid sequence. */
function pathSegment(id: string): string {
  return [...id]
    .map((character) => {
      try {
        return encodeURIComponent(character);
      } catch {
        return "%ED%A0%80";
      }
    })
    .join("");
}
