// POST /v1/traces as the OTLP/HTTP specification defines its answers: success and partial success in
// the request's encoding, 400 for undecodable bodies, 401/403, 413 over the limits (gzip included),
// 415 for other encodings, error bodies as google.rpc.Status; hostile attribute text never fails a batch.
import { gzipSync } from "node:zlib";
import { beforeAll, expect, it } from "vitest";
import { otlpSchema } from "../../src/integrations/opentelemetry/index.js";
import { createPricing } from "../../src/pricing/index.js";
import { createApiKeyStore } from "../../src/server/api-keys.js";
import { createApp, type LedgerApp } from "../../src/server/app.js";
import { createFailureThrottle } from "../../src/server/failure-throttle.js";
import { createIngestWriter } from "../../src/server/ingest-writer.js";
import { mountOtlpRoutes } from "../../src/server/otlp-routes.js";
import { createServerMetrics } from "../../src/server/server-metrics.js";
import { createProjectStore } from "../../src/projects/index.js";
import { createTelemetryStore } from "../../src/store/index.js";
import { describeEachEngine } from "../support/databases.js";
import { hostileValues, seededRandom, storedForm } from "../support/hostile-text.js";
import { silentLogger } from "../support/loggers.js";

const maxBodyBytes = 64 * 1024;
const traceId = "0af7651916cd43dd8448eb211c80319c";

type JsonAttribute = { key: string; value: Record<string, unknown> };
const text = (key: string, value: string): JsonAttribute => ({ key, value: { stringValue: value } });
const int = (key: string, value: number | string): JsonAttribute => ({ key, value: { intValue: value } });

/** An OTLP/JSON request of `spans` under one resource. */
function jsonRequest(spans: Array<Record<string, unknown>>, resource: JsonAttribute[] = []) {
  return {
    resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope: { name: "t" }, spans }] }],
  };
}

/** A chat span in OTLP/JSON (hex ids, nanosecond times as text). */
function chatSpan(spanId: string, attributes: JsonAttribute[] = [], model = "gpt-4o-mini", trace = traceId) {
  const end = BigInt(Date.now()) * 1_000_000n;
  return {
    traceId: trace,
    spanId,
    name: "chat",
    startTimeUnixNano: String(end - 1_500_000_000n),
    endTimeUnixNano: String(end),
    attributes: [
      text("gen_ai.operation.name", "chat"),
      text("gen_ai.provider.name", "openai"),
      ...(model ? [text("gen_ai.request.model", model)] : []),
      int("gen_ai.usage.input_tokens", 100),
      int("gen_ai.usage.output_tokens", "10"),
      ...attributes,
    ],
  };
}

/** The same request as protobuf: ids as bytes, encoded with the official schema. */
function protobufBody(request: ReturnType<typeof jsonRequest>): Uint8Array {
  const withBytes = JSON.parse(JSON.stringify(request), (key, value: unknown) =>
    (key === "traceId" || key === "spanId" || key === "parentSpanId") && typeof value === "string"
      ? Buffer.from(value, "hex")
      : value,
  ) as Record<string, unknown>;
  const { request: type } = otlpSchema();
  return type.encode(type.fromObject(withBytes)).finish();
}

describeEachEngine("POST /v1/traces answers", (context) => {
  let app: LedgerApp;
  let store: Awaited<ReturnType<typeof createTelemetryStore>>;
  const keys: Record<string, string> = {};

  const post = (
    body: string | Uint8Array,
    headers: Record<string, string> = { "content-type": "application/json" },
    key: string | null = keys.ingest!,
  ) =>
    app.request("/v1/traces", {
      method: "POST",
      body: typeof body === "string" ? body : new Uint8Array(body),
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), ...headers },
    });
  const count = async () =>
    Number(
      (
        await context
          .database()
          .query<{ n: string }>(`SELECT count(*) AS n FROM "${context.schema}".llm_cost_events`)
      )[0]!.n,
    );

  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
    const keyStore = createApiKeyStore({ database: store.database, schema: store.schema });
    for (const scope of ["read", "ingest"] as const) {
      keys[scope] = (await keyStore.create({ name: scope, scopes: [scope] })).key;
    }
    await createProjectStore({ database: store.database, schema: store.schema }).create({ slug: "alpha" });
    keys.alpha = (await keyStore.create({ name: "alpha", scopes: ["ingest"], project: "alpha" })).key;
    app = createApp({
      keys: keyStore,
      logger: silentLogger,
      throttle: createFailureThrottle({ limit: 1_000_000 }),
      routes: [
        mountOtlpRoutes({
          writer: createIngestWriter(store),
          pricing: createPricing(),
          logger: silentLogger,
          metrics: createServerMetrics(),
          maxBodyBytes,
        }),
      ],
    });
  });

  it("answers success as an empty ExportTraceServiceResponse in the request's encoding", async () => {
    const json = await post(JSON.stringify(jsonRequest([chatSpan("00f067aa0ba902b7")])));
    expect(json.status).toBe(200);
    expect(json.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await json.json()).toEqual({});
    const proto = await post(protobufBody(jsonRequest([chatSpan("00f067aa0ba902b8")])), {
      "content-type": "application/x-protobuf",
    });
    expect(proto.status).toBe(200);
    expect(proto.headers.get("content-type")).toBe("application/x-protobuf");
    const decoded = otlpSchema().response.toObject(
      otlpSchema().response.decode(new Uint8Array(await proto.arrayBuffer())),
    );
    expect(decoded).toEqual({});
    const ids = await context.database().query<{ trace_id: string; span_id: string }>(
      `SELECT trace_id, span_id FROM "${context.schema}".llm_cost_events
          WHERE span_id IN ('00f067aa0ba902b7', '00f067aa0ba902b8') ORDER BY span_id`,
    );
    expect(ids).toEqual([
      { trace_id: traceId, span_id: "00f067aa0ba902b7" },
      { trace_id: traceId, span_id: "00f067aa0ba902b8" },
    ]);
  });

  it("keeps span_id to its shape in the column itself (a writer that skips the parser)", async () => {
    const event = {
      eventId: "6f1d7c1e-2b3a-4c5d-8e9f-0a1b2c3d4e5f",
      createdAt: new Date(),
      repo: "r",
      taskType: "t",
      model: "gpt-4o-mini",
      provider: "openai",
      sdk: "raw" as const,
      inputTokens: 1,
      outputTokens: 1,
      estimatedCostUsd: "0",
    };
    const result = await store.recordLlmCosts([
      { ...event, spanId: "00F067AA0BA902B7" },
      { ...event, eventId: "6f1d7c1e-2b3a-4c5d-8e9f-0a1b2c3d4e60", spanId: "00f067aa0ba902ff" },
    ]);
    expect(result.rejected?.map((refusal) => refusal.eventId)).toEqual([event.eventId]);
    expect(result.inserted).toBe(1);
  });

  it("reports refused call spans as a partial success and stores the others", async () => {
    const before = await count();
    const request = jsonRequest([
      chatSpan("10f067aa0ba902b7"),
      chatSpan("10f067aa0ba902b8", [], ""),
      { ...chatSpan("10f067aa0ba902b9"), name: "GET /", attributes: [text("http.request.method", "GET")] },
    ]);
    const json = await post(JSON.stringify(request));
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({
      partialSuccess: {
        rejectedSpans: "1",
        errorMessage: expect.stringMatching(/^span 10f067aa0ba902b8: model/) as unknown,
      },
    });
    expect(await count()).toBe(before + 1);
    const proto = await post(protobufBody(request), { "content-type": "application/x-protobuf" });
    const { response } = otlpSchema();
    const decoded = response.toObject(response.decode(new Uint8Array(await proto.arrayBuffer())), {
      longs: Number,
    });
    expect(decoded).toEqual({
      partialSuccess: {
        rejectedSpans: 1,
        errorMessage: expect.stringMatching(/^span 10f067aa0ba902b8: model/) as unknown,
      },
    });
    expect(await count()).toBe(before + 1);
  });

  it("writes a span's event to the project of the key that sent it", async () => {
    const response = await post(
      JSON.stringify(jsonRequest([chatSpan("20f067aa0ba902b7")])),
      { "content-type": "application/json" },
      keys.alpha,
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({});
    const rows = await context
      .database()
      .query<{ project: string }>(
        `SELECT project FROM "${context.schema}".llm_cost_events WHERE trace_id IS NOT NULL AND project <> 'default'`,
      );
    expect(rows).toEqual([{ project: "alpha" }]);
  });

  it("refuses undecodable bodies with 400 and a Status in the request's encoding", async () => {
    const garbage = await post(new Uint8Array([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]), {
      "content-type": "application/x-protobuf",
    });
    expect(garbage.status).toBe(400);
    expect(garbage.headers.get("content-type")).toBe("application/x-protobuf");
    const { status } = otlpSchema();
    expect(status.toObject(status.decode(new Uint8Array(await garbage.arrayBuffer())))).toEqual({
      code: 3,
      message: expect.stringMatching(/^E_OTLP_BODY: /) as unknown,
    });
    for (const body of [
      "{",
      "[]",
      '{"resourceSpans":{}}',
      JSON.stringify(jsonRequest([{ traceId: "xyz" }])),
    ]) {
      const answer = await post(body);
      expect(answer.status, body).toBe(400);
      expect(await answer.json(), body).toEqual({
        code: 3,
        message: expect.stringMatching(/^E_(JSON|OTLP_BODY): /) as unknown,
      });
    }
    const notGzip = await post("plain", { "content-type": "application/json", "content-encoding": "gzip" });
    expect(notGzip.status).toBe(400);
  });

  it("refuses other content types and encodings with 415", async () => {
    expect((await post("{}", { "content-type": "text/plain" })).status).toBe(415);
    expect((await post("{}", { "content-type": "application/json", "content-encoding": "br" })).status).toBe(
      415,
    );
  });

  it("refuses a missing or wrong key with 401 and a key without the ingest scope with 403", async () => {
    const body = JSON.stringify(jsonRequest([chatSpan("20f067aa0ba902b7")]));
    const none = await post(body, { "content-type": "application/json" }, null);
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ code: 16, message: expect.stringMatching(/^E_AUTH: /) as unknown });
    const wrong = await post(
      protobufBody(jsonRequest([chatSpan("20f067aa0ba902b7")])),
      {
        "content-type": "application/x-protobuf",
      },
      "llk_not_a_key_00000000000000000000000",
    );
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect((await post(body, { "content-type": "application/json" }, keys.read)).status).toBe(403);
  });

  it("refuses bodies over the limit with 413, gzipped ones by their decompressed size", async () => {
    const before = await count();
    const padding = "x".repeat(maxBodyBytes);
    const big = JSON.stringify(jsonRequest([chatSpan("30f067aa0ba902b7", [text("note", padding)])]));
    expect((await post(big)).status).toBe(413);
    const bomb = gzipSync(big);
    expect(bomb.length).toBeLessThan(maxBodyBytes);
    const answer = await post(bomb, { "content-type": "application/json", "content-encoding": "gzip" });
    expect(answer.status).toBe(413);
    expect(await answer.json()).toEqual({
      code: 3,
      message: expect.stringMatching(/^E_TOO_LARGE: /) as unknown,
    });
    const small = gzipSync(JSON.stringify(jsonRequest([chatSpan("30f067aa0ba902b8")])));
    expect(
      (await post(small, { "content-type": "application/json", "content-encoding": "gzip" })).status,
    ).toBe(200);
    expect(await count()).toBe(before + 1);
  });

  it("stores hostile attribute text as given or refuses that span alone, never failing the batch", async () => {
    const hostileTrace = "1af7651916cd43dd8448eb211c80319c";
    const values = hostileValues(seededRandom(19), 60);
    const spans = values.map((value, index) =>
      chatSpan(
        (0x40f067aa0ba90000n + BigInt(index)).toString(16).padStart(16, "0"),
        [text("llm_ledger.repo", value), text("user.id", value), text("ai.telemetry.metadata.note", value)],
        "gpt-4o-mini",
        hostileTrace,
      ),
    );
    const answer = await post(JSON.stringify(jsonRequest(spans)));
    expect(answer.status).toBe(200);
    const body = (await answer.json()) as { partialSuccess?: { rejectedSpans: string } };
    const refused = Number(body.partialSuccess?.rejectedSpans ?? 0);
    const stored = await context
      .database()
      .query<{ repo: string; user_id: string }>(
        `SELECT repo, user_id FROM "${context.schema}".llm_cost_events WHERE trace_id = $1`,
        [hostileTrace],
      );
    expect(stored.length + refused).toBe(values.length);
    // A value of only white space names no repo: the span falls back to the default mapping.
    const given = new Set([...values.map(storedForm), "unknown"]);
    for (const row of stored) {
      expect(given.has(row.repo)).toBe(true);
      if (row.repo !== "unknown") expect(row.user_id).toBe(row.repo);
    }
  });
});
