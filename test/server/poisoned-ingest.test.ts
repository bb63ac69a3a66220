// One event that cannot be stored must never stop ingest: refused at the edge with a per-index
// reason (lone surrogates, invalid UTF-8 bytes), and, should a row still reach the database and be
// refused there, the group commit stores every other request's events.
import { createProjectStore } from "../../src/projects/index.js";
import { randomUUID } from "node:crypto";
import { beforeAll, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { createApiKeyStore } from "../../src/server/api-keys.js";
import { createApp, type LedgerApp } from "../../src/server/app.js";
import { createFailureThrottle } from "../../src/server/failure-throttle.js";
import { mountIngestRoutes } from "../../src/server/ingest-routes.js";
import { createIngestWriter } from "../../src/server/ingest-writer.js";
import { createServerMetrics } from "../../src/server/server-metrics.js";
import { createTelemetryStore, type NewLlmCostRecord, type TelemetryStore } from "../../src/store/index.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";
import { costRecord } from "../support/records.js";

const event = (overrides: Record<string, unknown> = {}) => ({
  eventId: randomUUID(),
  repo: "acme/api",
  taskType: "review",
  model: "gpt-4o-mini",
  provider: "openai",
  inputTokens: 1_000,
  outputTokens: 10,
  ...overrides,
});

describeEachEngine("ingest of events that cannot be stored", (context) => {
  let store: TelemetryStore;
  let app: LedgerApp;
  let ingestKey = "";

  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
    const keys = createApiKeyStore({ database: store.database, schema: store.schema });
    ingestKey = (await keys.create({ name: "ingest", scopes: ["ingest"] })).key;
    const metrics = createServerMetrics();
    app = createApp({
      keys,
      logger: silentLogger,
      throttle: createFailureThrottle({ limit: 1_000_000 }),
      routes: [
        mountIngestRoutes({
          store,
          projects: createProjectStore(store),
          pricing: createPricing(),
          logger: silentLogger,
          metrics,
        }),
      ],
    });
  });

  const stored = async (ids: string[]) =>
    (
      await store.database.query<{ event_id: string; repo: string }>(
        `SELECT event_id::text, repo FROM "${context.schema}".llm_cost_events WHERE event_id = ANY($1::uuid[])`,
        [ids],
      )
    ).map((row) => row.event_id);

  it("refuses lone surrogates and invalid UTF-8 per event, by index, and stores the rest", async () => {
    const good = [event(), event({ repo: "=cmd|' /C calc'!A0" }), event({ taskType: "line\nbreak" })];
    const surrogateMetadata = event({ metadata: { note: "\uD800" } });
    const surrogateKey = event({ metadata: { "\uDFFF": 1 } });
    const invalidBytes = event({ repo: "acme/PLACEHOLDER" });
    const events = [good[0], surrogateMetadata, good[1], surrogateKey, invalidBytes, good[2]];
    // JSON.stringify escapes lone surrogates (\ud800): valid JSON that JSONB refuses. The invalid
    // UTF-8 (a lone continuation byte and a truncated sequence) goes in as raw bytes.
    const json = Buffer.from(JSON.stringify({ events }));
    const marker = Buffer.from("PLACEHOLDER");
    const at = json.indexOf(marker);
    const body = Buffer.concat([
      json.subarray(0, at),
      Buffer.from([0x80, 0x41, 0xe2, 0x82]),
      json.subarray(at + marker.length),
    ]);
    const response = await app.request("/v1/events", {
      method: "POST",
      body,
      headers: { authorization: `Bearer ${ingestKey}`, "content-type": "application/json" },
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as {
      accepted: number;
      rejected: { index: number; error: string }[];
    };
    expect(answer.accepted).toBe(3);
    expect(answer.rejected).toEqual([
      { index: 1, error: "metadata.note is not valid Unicode (a lone UTF-16 surrogate, or invalid UTF-8)" },
      {
        index: 3,
        error: "metadata has a key that is not valid Unicode (a lone UTF-16 surrogate, or invalid UTF-8)",
      },
      { index: 4, error: "repo is not valid Unicode (a lone UTF-16 surrogate, or invalid UTF-8)" },
    ]);
    expect((await stored(events.map((item) => item!.eventId as string))).sort()).toEqual(
      good.map((item) => item.eventId).sort(),
    );
  });

  it("keeps other requests of a group commit when the store refuses one request's row", async () => {
    const writer = createIngestWriter(store, { concurrency: 1 });
    const record = (overrides: Partial<NewLlmCostRecord> = {}) =>
      costRecord({ createdAt: new Date(), sdk: "http", ...overrides });
    // Records reach the writer already validated; this one is refused by Postgres itself (a negative
    // token count violates a CHECK), standing in for any content the edge did not foresee.
    const refused = record({ inputTokens: -1 });
    const requests = [
      [record(), record()],
      [record(), refused, record()],
      ...Array.from({ length: 30 }, () => [record()]),
    ];
    const results = await Promise.all(requests.map((records) => writer.write(records)));
    expect(results[1]).toMatchObject({ inserted: 2, duplicates: 0 });
    expect(results[1]!.rejected?.map((rejection) => rejection.eventId)).toEqual([refused.eventId]);
    for (const [index, result] of results.entries()) {
      if (index !== 1) expect(result).toEqual({ inserted: requests[index]!.length, duplicates: 0 });
    }
    const ids = requests.flat().map((item) => item.eventId);
    expect(await stored(ids)).toHaveLength(ids.length - 1);
  });
});
