import { Hono } from "hono";
import type { Pricing } from "../pricing/index.js";
import {
  defaultSpanAttribution,
  eventOfSpan,
  selectCallSpans,
  type SpanAttribution,
} from "../integrations/opentelemetry/index.js";
import type { NewLlmCostRecord } from "../store/index.js";
import type { Guards, LedgerApp } from "./app.js";
import { createIngestCommitter, createServerPricer, maxFutureMs } from "./ingest-commit.js";
import type { IngestWriter } from "./ingest-writer.js";
import { decodeOtlpBody, encodingOf, readOtlpBytes } from "./otlp-body.js";
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
  const price = createServerPricer(dependencies.pricing, dependencies.logger);
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
      const bytes = await readOtlpBytes(context.req.raw, maxBytes);
      const spans = decodeOtlpBody(bytes, encoding);
      const { calls, ignored } = selectCallSpans(spans);
      // Counted now, recorded once committed: the decoded spans need not live through the write.
      const spanCounts = { received: spans.length, calls: calls.length, ignored };
      const reasons: string[] = [];
      const records: NewLlmCostRecord[] = [];
      const received = now();
      // Spans name no project: their events go to the key's (a key of every project: `default`).
      const target = writeProjectOf(context.get("principal"), undefined);
      const project = target.ok ? target.project : undefined;
      for (const span of calls) {
        const event = eventOfSpan(span, attribution);
        if (!event.ok) {
          reasons.push(`span ${span.spanId || "(no id)"}: ${event.reason}`);
        } else if (event.createdAt > received + maxFutureMs) {
          reasons.push(`span ${span.spanId}: ends more than 5 minutes in the future`);
        } else {
          const record = price(project === undefined ? event : { ...event, project });
          if (project !== undefined) record.project = project;
          records.push(record);
        }
      }
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
