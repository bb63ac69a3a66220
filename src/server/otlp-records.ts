// One OTLP export, from its decoded body to priced records, in one synchronous step. It is its own
// function so that nothing it builds (the protobuf messages, the spans and their attribute maps) is
// held by the route while the records wait for their group commit: the route keeps the records and
// a few counts only. Whatever stays reachable across that wait is copied by every minor collection
// meanwhile and soon promoted to the old generation, which the service paid for per span under load.
import { eventOfSpan, selectCallSpans, type SpanAttribution } from "../integrations/opentelemetry/index.js";
import type { NewLlmCostRecord } from "../store/index.js";
import { maxFutureMs, type createServerPricer } from "./ingest-commit.js";
import { decodeOtlpBody, type OtlpEncoding } from "./otlp-body.js";

/** The records of an export, why its refused call spans were refused, and what it held. */
export interface ExportRecords {
  records: NewLlmCostRecord[];
  reasons: string[];
  spanCounts: { received: number; calls: number; ignored: number };
}

/** What turning an export into records needs: the route's mapping, pricer and clock. */
export interface ExportRecordsOptions {
  attribution: SpanAttribution;
  price: ReturnType<typeof createServerPricer>;
  now: () => number;
}

/**
 * Creates the step that decodes an export's body (`E_OTLP_BODY` when it cannot), selects its call
 * spans and maps and prices each, for `project` (the key's; undefined leaves the event's own).
 */
export function createExportRecords(options: ExportRecordsOptions) {
  const { attribution, price, now } = options;
  return function exportRecords(
    bytes: Uint8Array,
    encoding: OtlpEncoding,
    project: string | undefined,
  ): ExportRecords {
    const spans = decodeOtlpBody(bytes, encoding);
    const { calls, ignored } = selectCallSpans(spans);
    const reasons: string[] = [];
    const records: NewLlmCostRecord[] = [];
    const received = now();
    for (const span of calls) {
      const event = eventOfSpan(span, attribution);
      if (!event.ok) {
        reasons.push(`span ${span.spanId || "(no id)"}: ${event.reason}`);
      } else if (event.createdAt > received + maxFutureMs) {
        reasons.push(`span ${span.spanId}: ends more than 5 minutes in the future`);
      } else {
        // A literal of one shape, as POST /v1/events builds it: a spread copy of the mapped event
        // (with its `ok`) gave the pricer a second object shape to read and cost more than pricing.
        records.push(
          price({
            input: event.input,
            eventId: event.eventId,
            createdAt: event.createdAt,
            agentCost: undefined,
            project,
          }),
        );
      }
    }
    return { records, reasons, spanCounts: { received: spans.length, calls: calls.length, ignored } };
  };
}
