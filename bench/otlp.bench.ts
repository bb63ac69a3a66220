// OTLP ingest beside POST /v1/events, in the same run against the same compiled service: spans/s
// stored through POST /v1/traces (protobuf, batches of 512 GenAI call spans, the batch span
// processor's default export size) and events/s through POST /v1/events in batches of 512, each a
// fresh id (counted as rows). Goal: OTLP at least 0.8× the events/s of POST /v1/events. First, in
// process, the CPU one export costs from bytes to priced records beside the same step of a
// POST /v1/events body (otlp-profile.ts); each run also reports the service's CPU per stored row.
//   npm run bench -- otlp [--seconds 15] [--connections 8]
import { randomBytes, randomUUID } from "node:crypto";
import os from "node:os";
import autocannon from "autocannon";
import pg from "pg";
import { otlpSchema } from "../src/integrations/opentelemetry/index.js";
import {
  buildServer,
  countEvents,
  createKey,
  flag,
  startServer,
  stopServer,
  type Server,
} from "./server.bench.js";
import { profileOtlpDecoding } from "./otlp-profile.js";
import { cpuMsOf, writeResults } from "./support.js";

const serverUrl = process.env.TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const batch = 512;
const models = ["gpt-4o-mini", "claude-sonnet-4-5", "gemini-2.5-flash", "claude-haiku-4-5"];

/**
 * One protobuf export of `batch` chat spans under one trace id, and a way to make the next request:
 * the same bytes with a fresh trace id written over the template's (event ids derive from trace and
 * span ids, so every request stores new rows), so the load generator does not encode 512 spans a request.
 */
export function otlpBodies(): () => Buffer {
  const template = randomBytes(16);
  const end = BigInt(Date.now()) * 1_000_000n;
  const spans = Array.from({ length: batch }, (_, index) => ({
    traceId: template,
    spanId: Buffer.from((index + 1).toString(16).padStart(16, "0"), "hex"),
    name: "chat",
    kind: 3,
    startTimeUnixNano: String(end - 800_000_000n),
    endTimeUnixNano: String(end),
    attributes: [
      { key: "gen_ai.operation.name", value: { stringValue: "chat" } },
      { key: "gen_ai.request.model", value: { stringValue: models[index % models.length] } },
      { key: "gen_ai.usage.input_tokens", value: { intValue: 1000 + index * 11 } },
      { key: "gen_ai.usage.cache_read.input_tokens", value: { intValue: index * 10 } },
      { key: "gen_ai.usage.output_tokens", value: { intValue: 100 + index } },
      { key: "ai.telemetry.functionId", value: { stringValue: `t${index % 7}` } },
    ],
  }));
  const { request } = otlpSchema();
  const encoded = Buffer.from(
    request
      .encode(
        request.fromObject({
          resourceSpans: [
            {
              resource: { attributes: [{ key: "service.name", value: { stringValue: "acme/bench" } }] },
              scopeSpans: [{ scope: { name: "bench" }, spans }],
            },
          ],
        }),
      )
      .finish(),
  );
  const offsets: number[] = [];
  for (let at = encoded.indexOf(template); at >= 0; at = encoded.indexOf(template, at + 16)) offsets.push(at);
  return () => {
    const body = Buffer.from(encoded);
    const traceId = randomBytes(16);
    for (const offset of offsets) traceId.copy(body, offset);
    return body;
  };
}

/** Events of POST /v1/events shaped like the spans: the same models and token figures. */
export function eventBodies(): () => string {
  return () => {
    const events = [];
    for (let index = 0; index < batch; index++) {
      events.push(
        JSON.stringify({
          eventId: randomUUID(),
          repo: "acme/bench",
          taskType: `t${index % 7}`,
          model: models[index % models.length],
          inputTokens: 1000 + index,
          cacheReadTokens: index * 10,
          outputTokens: 100 + index,
        }),
      );
    }
    return `{"events":[${events.join(",")}]}`;
  };
}

async function ingestRun(
  server: Server,
  key: string,
  path: "/v1/traces" | "/v1/events",
  seconds: number,
  connections: number,
) {
  const nextBody = path === "/v1/traces" ? otlpBodies() : eventBodies();
  const contentType = path === "/v1/traces" ? "application/x-protobuf" : "application/json";
  const before = await countEvents(server.url, key);
  const cpuBefore = { server: cpuMsOf(server.child.pid!), postgres: cpuMsOf("postgres") };
  const started = performance.now();
  const result = await autocannon({
    url: server.url,
    connections,
    duration: seconds,
    requests: [
      {
        method: "POST",
        path,
        headers: { authorization: `Bearer ${key}`, "content-type": contentType },
        setupRequest: (request) => ({ ...request, body: nextBody() }),
      },
    ],
  });
  const elapsedSeconds = (performance.now() - started) / 1000;
  const serverCpuMs = cpuMsOf(server.child.pid!) - cpuBefore.server;
  const rows = (await countEvents(server.url, key)) - before;
  return {
    path,
    batch,
    connections,
    rows,
    perSecond: Math.round(rows / elapsedSeconds),
    requests: result.requests.total,
    non2xx: result.non2xx,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99 },
    // The service's CPU per stored row: where the two routes differ, whatever the machine's load.
    serverCpuMicrosecondsPerRow: rows > 0 ? +((serverCpuMs * 1000) / rows).toFixed(1) : null,
    cores: {
      server: +(serverCpuMs / 1000 / elapsedSeconds).toFixed(2),
      postgres: +((cpuMsOf("postgres") - cpuBefore.postgres) / 1000 / elapsedSeconds).toFixed(2),
    },
  };
}

async function benchEngine(
  name: string,
  databaseUrl: string,
  schema: string,
  seconds: number,
  connections: number,
) {
  const server = await startServer(databaseUrl, schema);
  try {
    const key = await createKey(server.url);
    await ingestRun(server, key, "/v1/traces", 2, connections); // warm-up, both paths
    await ingestRun(server, key, "/v1/events", 2, connections);
    // Alternated, so a drift of the machine's load shows in both.
    const events1 = await ingestRun(server, key, "/v1/events", seconds, connections);
    const otlp1 = await ingestRun(server, key, "/v1/traces", seconds, connections);
    const events2 = await ingestRun(server, key, "/v1/events", seconds, connections);
    const otlp2 = await ingestRun(server, key, "/v1/traces", seconds, connections);
    const eventsPerSecond = Math.round((events1.perSecond + events2.perSecond) / 2);
    const spansPerSecond = Math.round((otlp1.perSecond + otlp2.perSecond) / 2);
    const ratio = +(spansPerSecond / eventsPerSecond).toFixed(2);
    console.log(
      `${name.padEnd(9)} OTLP ${spansPerSecond.toLocaleString("en-US")} spans/s | POST /v1/events ${eventsPerSecond.toLocaleString("en-US")} events/s | ×${ratio} (goal ≥ 0.8)` +
        ` | p50 ${otlp2.latencyMs.p50} ms vs ${events2.latencyMs.p50} ms | non-2xx ${otlp1.non2xx + otlp2.non2xx}/${events1.non2xx + events2.non2xx}` +
        ` | service CPU ${otlp2.serverCpuMicrosecondsPerRow} vs ${events2.serverCpuMicrosecondsPerRow} µs/row`,
    );
    return { engine: name, spansPerSecond, eventsPerSecond, ratio, runs: [events1, otlp1, events2, otlp2] };
  } finally {
    await stopServer(server);
  }
}

export async function run(args: string[]): Promise<void> {
  const seconds = flag(args, "seconds", 15);
  const connections = flag(args, "connections", 8);
  // In process first, on a machine the servers do not load yet.
  const decoding = profileOtlpDecoding(otlpBodies()(), eventBodies()());
  console.log(
    `in process: ${decoding.cpuMsPerRequest.messages} ms CPU per ${batch}-span export to priced records` +
      ` (the toObject path: ${decoding.cpuMsPerRequest.toObject} ms);` +
      ` ${decoding.cpuMsPerRequest.events} ms per POST /v1/events body of ${batch} events`,
  );
  buildServer();
  const results = [];
  const sql = new pg.Pool({ connectionString: serverUrl, max: 1 });
  const schema = `bench_otlp_${randomBytes(4).toString("hex")}`;
  try {
    await sql.query("select 1");
    results.push(await benchEngine("postgres", serverUrl, schema, seconds, connections));
  } catch (error) {
    console.log(`postgres: skipped (${(error as Error).message})`);
  } finally {
    await sql.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => {});
    await sql.end();
  }
  results.push(await benchEngine("pglite", "memory:", "public", seconds, connections));
  await writeResults("otlp", {
    seconds,
    connections,
    batch,
    loadAverage: os.loadavg(),
    decoding,
    results,
  });
}
