// GET /v1/events/{eventId}: one call with every field, over a real HTTP server on both engines;
// read scope; a precise 400 for an id that cannot exist and a 404 for one that does not.
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, it } from "vitest";
import { getEvent } from "../../src/query/index.js";
import { startServer, type RunningServer } from "../../src/server/start-server.js";
import { createKeyVia } from "../support/admin-keys.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

const adminKey = "event-detail-test-admin-key-0123456789";

describeEachEngine("GET /v1/events/{eventId}", (context) => {
  let server: RunningServer;
  const keys = { read: "", ingest: "" };
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
    durationMs: 1_234,
    sessionId: "session-1",
    userId: "user-7",
    metadata: { page: "home" },
  };

  const get = (path: string, key = keys.read) =>
    fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });

  beforeAll(async () => {
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
    });
    for (const scope of ["read", "ingest"] as const) {
      keys[scope] = await createKeyVia(server.url, adminKey, { name: scope, scopes: [scope] });
    }
    const posted = await fetch(`${server.url}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${keys.ingest}` },
      body: JSON.stringify({ events: [event] }),
    });
    expect(((await posted.json()) as { accepted: number }).accepted).toBe(1);
  });
  afterAll(() => server.close());

  it("answers the event with every field, as the application sent it and as it was priced", async () => {
    const response = await get(`/v1/events/${event.eventId.toUpperCase()}`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      eventId: event.eventId,
      repo: "acme/api",
      model: event.model,
      provider: "aws-bedrock",
      inputTokens: 1_000,
      outputTokens: 200,
      cacheReadTokens: 5_000,
      cacheWriteTokens: 100,
      durationMs: 1_234,
      sessionId: "session-1",
      userId: "user-7",
      metadata: { page: "home" },
      priced: true,
    });
    expect(typeof body.estimatedCostUsd).toBe("string");
    expect(body).toEqual(
      JSON.parse(
        JSON.stringify(
          await getEvent({ database: context.database(), schema: context.schema }, event.eventId),
        ),
      ),
    );
  });

  it("answers 404 for an id nobody stored, 400 for one that is not a UUID, 403 without read scope", async () => {
    const missing = await get(`/v1/events/${randomUUID()}`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { code: "E_NOT_FOUND" } });
    const malformed = await get("/v1/events/not-a-uuid");
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: "E_QUERY_EVENT_ID" } });
    expect((await get(`/v1/events/${event.eventId}`, keys.ingest)).status).toBe(403);
    expect((await fetch(`${server.url}/v1/events/${event.eventId}`)).status).toBe(401);
  });
});
