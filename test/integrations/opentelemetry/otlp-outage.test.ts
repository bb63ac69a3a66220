// The database cut while the OTel SDK's protobuf exporter is sending: the service answers 503 with
// Retry-After, the exporter retries within its timeout, and once the database is back every call span
// is stored, once.
import { afterAll, beforeAll, expect, it } from "vitest";
import { startServer, type RunningServer } from "../../../src/server/start-server.js";
import { createKeyVia } from "../../support/admin-keys.js";
import { describeServer, serverUrl, uniqueSchema } from "../../support/databases.js";
import { silentLogger } from "../../support/loggers.js";
import { exportSpans, memoryTracer, otlpExporter } from "../../support/otel-spans.js";
import { startTcpProxy, type TcpProxy } from "../../support/tcp-proxy.js";

const adminKey = "otlp-outage-admin-key-0123456789";

describeServer("an OTLP export across a database outage", () => {
  let proxy: TcpProxy;
  let server: RunningServer;
  let ingestKey: string;
  let firstFailure: () => void = () => {};
  const failed = new Promise<void>((resolve) => (firstFailure = resolve));

  beforeAll(async () => {
    const target = new URL(serverUrl!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const databaseUrl = new URL(serverUrl!);
    databaseUrl.hostname = "127.0.0.1";
    databaseUrl.port = String(proxy.port);
    server = await startServer({
      databaseUrl: databaseUrl.href,
      schema: uniqueSchema("otlp_outage"),
      port: 0,
      adminKey,
      logger: { ...silentLogger, error: () => firstFailure() },
    });
    ingestKey = await createKeyVia(server.url, adminKey, { name: "otel", scopes: ["ingest"] });
  });

  afterAll(async () => {
    await proxy.restore();
    await server.store.database.exec(`DROP SCHEMA IF EXISTS ${server.store.schema} CASCADE`).catch(() => {});
    await server.close();
    await proxy.close();
  });

  it("delivers every call span once when the outage is shorter than the exporter's retry window", async () => {
    const tracer = memoryTracer({ "service.name": "acme/outage" });
    for (let index = 0; index < 20; index++) {
      tracer.span(`chat ${index}`, {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "gen_ai.usage.input_tokens": 100 + index,
        "gen_ai.usage.output_tokens": 10,
      });
    }
    const spans = tracer.finished();
    await proxy.cut();
    // The service answers 503 + Retry-After: 5 while the database is away; the exporter (30 s budget)
    // waits and sends the same request again.
    const exported = exportSpans(
      otlpExporter("protobuf", server.url, ingestKey, { timeoutMillis: 30_000 }),
      spans,
    );
    await failed;
    await proxy.restore();
    const result = await exported;
    expect(result.code, String(result.error)).toBe(0);
    const rows = await server.store.database.query<{ n: string; tokens: string }>(
      `SELECT count(*) AS n, sum(input_tokens)::text AS tokens FROM ${server.store.schema}.llm_cost_events`,
    );
    expect(rows[0]).toEqual({ n: "20", tokens: String(20 * 100 + (19 * 20) / 2) });
  });
});
