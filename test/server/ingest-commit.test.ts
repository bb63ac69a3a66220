// The bookkeeping both ingest routes share (ingest-commit.ts): the same counters, the same nudge of the
// budget alerts, whichever route the events came through, against a real store; and a failed write
// that leaves no pending events and counts nothing.
import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";
import { createApiKeyStore } from "../../src/server/api-keys.js";
import { createApp, type LedgerApp } from "../../src/server/app.js";
import { createFailureThrottle } from "../../src/server/failure-throttle.js";
import { createIngestCommitter } from "../../src/server/ingest-commit.js";
import { mountIngestRoutes } from "../../src/server/ingest-routes.js";
import { createIngestWriter } from "../../src/server/ingest-writer.js";
import { mountOtlpRoutes } from "../../src/server/otlp-routes.js";
import { createServerMetrics, type ServerMetrics } from "../../src/server/server-metrics.js";
import { createProjectStore } from "../../src/projects/index.js";
import { createTelemetryStore, StoreWriteError, type NewLlmCostRecord } from "../../src/store/index.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";

/** A chat span in OTLP/JSON, ending now unless `endMs` says otherwise. */
function chatSpan(traceId: string, spanId: string, endMs = Date.now()) {
  const end = BigInt(endMs) * 1_000_000n;
  return {
    traceId,
    spanId,
    name: "chat",
    startTimeUnixNano: String(end - 1_000_000_000n),
    endTimeUnixNano: String(end),
    attributes: [
      { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
      { key: "gen_ai.request.model", value: { stringValue: "gpt-4o-mini" } },
      { key: "gen_ai.usage.input_tokens", value: { intValue: 100 } },
      { key: "gen_ai.usage.output_tokens", value: { intValue: 10 } },
    ],
  };
}

const counters = (metrics: ServerMetrics) => {
  const { eventsWritten, eventsDuplicate, eventsRejected, eventsAccepted, pendingEvents } =
    metrics.snapshot();
  return { eventsWritten, eventsDuplicate, eventsRejected, eventsAccepted, pendingEvents };
};

describeEachEngine("ingest bookkeeping, shared by POST /v1/events and POST /v1/traces", (context) => {
  let app: LedgerApp;
  let key: string;
  const metrics = createServerMetrics();
  let nudges = 0;

  beforeAll(async () => {
    const store = await createTelemetryStore({ database: context.database(), schema: context.schema });
    const keyStore = createApiKeyStore({ database: store.database, schema: store.schema });
    key = (await keyStore.create({ name: "ingest", scopes: ["ingest"] })).key;
    const projects = createProjectStore({ database: store.database, schema: store.schema });
    const writer = createIngestWriter(store);
    const pricing = createPricing();
    const onIngested = () => {
      nudges += 1;
    };
    app = createApp({
      keys: keyStore,
      logger: silentLogger,
      throttle: createFailureThrottle({ limit: 1_000_000 }),
      routes: [
        mountIngestRoutes({ store, projects, pricing, logger: silentLogger, metrics, writer, onIngested }),
        mountOtlpRoutes({ writer, pricing, logger: silentLogger, metrics, onIngested }),
      ],
    });
  });

  const post = (path: string, body: unknown) =>
    app.request(path, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    });

  it("counts events and spans alike and nudges the alerts only when something new was stored", async () => {
    const events = await post("/v1/events", {
      events: [
        {
          eventId: randomUUID(),
          repo: "r",
          taskType: "t",
          model: "gpt-4o-mini",
          inputTokens: 5,
          outputTokens: 1,
        },
        { repo: "r", taskType: "t", model: "gpt-4o-mini", inputTokens: -1, outputTokens: 1 },
      ],
    });
    expect(events.status).toBe(200);
    expect(counters(metrics)).toEqual({
      eventsWritten: 1,
      eventsDuplicate: 0,
      eventsRejected: 1,
      eventsAccepted: 1,
      pendingEvents: 0,
    });
    expect(nudges).toBe(1);

    const traceId = randomUUID().replaceAll("-", "");
    const spans = {
      resourceSpans: [
        {
          resource: { attributes: [] },
          scopeSpans: [
            {
              scope: { name: "t" },
              // The second ends an hour ahead of the service's clock: refused before the write.
              spans: [
                chatSpan(traceId, "00f067aa0ba902b7"),
                chatSpan(traceId, "00f067aa0ba902b8", Date.now() + 3_600_000),
              ],
            },
          ],
        },
      ],
    };
    const traces = await post("/v1/traces", spans);
    expect(await traces.json()).toMatchObject({ partialSuccess: { rejectedSpans: "1" } });
    expect(counters(metrics)).toEqual({
      eventsWritten: 2,
      eventsDuplicate: 0,
      eventsRejected: 2,
      eventsAccepted: 2,
      pendingEvents: 0,
    });
    expect(nudges).toBe(2);

    // The exporter sends the batch again: a duplicate, a refusal again, and no nudge.
    expect((await post("/v1/traces", spans)).status).toBe(200);
    expect(counters(metrics)).toEqual({
      eventsWritten: 2,
      eventsDuplicate: 1,
      eventsRejected: 3,
      eventsAccepted: 3,
      pendingEvents: 0,
    });
    expect(nudges).toBe(2);
  });
});

describe("a commit whose write fails", () => {
  it("rejects, leaves nothing pending, counts nothing and does not nudge", async () => {
    const metrics = createServerMetrics();
    let nudged = false;
    let pendingDuringWrite = -1;
    const commit = createIngestCommitter({
      metrics,
      writer: createIngestWriter({
        maxBatchSize: 1000,
        recordLlmCosts() {
          pendingDuringWrite = metrics.snapshot().pendingEvents;
          return Promise.reject(new StoreWriteError("database down", { transient: true }));
        },
      }),
      onIngested: () => {
        nudged = true;
      },
    });
    const records = [{ eventId: randomUUID() }, { eventId: randomUUID() }] as NewLlmCostRecord[];
    await expect(commit(records, 1)).rejects.toThrow("database down");
    expect(pendingDuringWrite).toBe(2);
    expect(counters(metrics)).toEqual({
      eventsWritten: 0,
      eventsDuplicate: 0,
      eventsRejected: 0,
      eventsAccepted: 0,
      pendingEvents: 0,
    });
    expect(nudged).toBe(false);
  });
});
