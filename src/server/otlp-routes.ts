import { Hono } from "hono";
import type { Pricing } from "../pricing/index.js";
import { defaultSpanAttribution, type SpanAttribution } from "../integrations/opentelemetry/index.js";
import type { Guards, LedgerApp } from "./app.js";
import { createIngestCommitter, createServerPricer } from "./ingest-commit.js";
import type { IngestWriter } from "./ingest-writer.js";
import { encodingOf, readOtlpBytes } from "./otlp-body.js";
import { createExportRecords } from "./otlp-records.js";
import { exportResponse, otlpErrorBodies } from "./otlp-responses.js";
import { writeProjectOf } from "./project-scope.js";
import { limitBody } from "./request-body.js";
import type { ServerLogger } from "./server-logger.js";
import type { ServerMetrics } from "./server-metrics.js";

/**
 * The body limit of an export, compressed or not, and of its decompressed size: room for a batch of
 * 512 spans that carry prompts and outputs (the AI SDK records both by default; ~60 KiB a span).
 */
export const maxOtlpBytes = 32 * 1024 * 1024;
/** Reasons listed in a partial-success answer (the count covers them all). */
const maxReasons = 5;

/** What the OTLP route needs: the shared ingest writer and pricing, and how spans are attributed. */
export interface OtlpRouteDependencies {
  /** The writer `POST /v1/events` uses: both routes' requests share its group commits. */
  writer: IngestWriter;
  pricing: Pricing;
  logger: ServerLogger;
  metrics: ServerMetrics;
  /** Which span and resource attributes give repo, task type, user, session, environment, metadata. */
  attribution?: Partial<SpanAttribution> | undefined;
  /** Limit of a body, compressed and decompressed (default 32 MiB). */
  maxBodyBytes?: number | undefined;
  now?: () => number;
  /** Told after an export's events were committed (the budget alerts evaluate soon after). */
  onIngested?: (() => void) | undefined;
}

/**
 * `POST /v1/traces` (scope ingest): OTLP/HTTP trace export, protobuf or JSON, optionally gzipped. The
 * spans that are provider calls become events, priced by the server as `POST /v1/events` prices them
 * and committed before the answer, idempotently (the event id derives from the trace and span ids);
 * other spans are accepted and ignored. Refused call spans are reported as a partial success. The
 * events go to the key's project (`writeProjectOf`), like those of `POST /v1/events` that name none.
 */
export function mountOtlpRoutes(dependencies: OtlpRouteDependencies) {
  const now = dependencies.now ?? Date.now;
  const attribution: SpanAttribution = { ...defaultSpanAttribution, ...dependencies.attribution };
  const maxBytes = dependencies.maxBodyBytes ?? maxOtlpBytes;
  const exportRecords = createExportRecords({
    attribution,
    price: createServerPricer(dependencies.pricing, dependencies.logger),
    now,
  });
  const commit = createIngestCommitter(dependencies);
  return (app: LedgerApp, guards: Guards) => {
    const routes: LedgerApp = new Hono();
    routes.on(
      "POST",
      "/",
      otlpErrorBodies(),
      guards.ingest,
      limitBody(maxBytes, `the body is larger than ${maxBytes} bytes; export smaller batches`),
    );
    routes.post("/", async (context) => {
      const encoding = encodingOf(context.req.header("content-type"));
      // Spans name no project: their events go to the key's (a key of every project: `default`).
      const target = writeProjectOf(context.get("principal"), undefined);
      const project = target.ok ? target.project : undefined;
      // The body's bytes and everything decoded from them are done with before the commit's wait.
      const { records, reasons, spanCounts } = exportRecords(
        await readOtlpBytes(context.req.raw, maxBytes),
        encoding,
        project,
      );
      const result = await commit(records, reasons.length);
      dependencies.metrics.recordSpans(spanCounts);
      for (const refusal of result.rejected ?? [])
        reasons.push(`event ${refusal.eventId}: ${refusal.reason}`);
      const answer = exportResponse(encoding, {
        count: reasons.length,
        message: reasons.slice(0, maxReasons).join("; "),
      });
      return context.body(answer.body, 200, { "content-type": answer.contentType });
    });
    app.route("/v1/traces", routes);
  };
}
