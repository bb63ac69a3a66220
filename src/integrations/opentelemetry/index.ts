// OpenTelemetry ingest: OTLP trace export requests (protobuf or JSON) decoded from the official schema,
// the provider-call spans among them, and each call as an event of the shared model. The service's
// `POST /v1/traces` (server/otlp-routes.ts) is built on these.
export { decodeJsonSpans, decodeProtobufSpans } from "./decode-otlp.js";
export { otlpSchema, type OtlpSchema } from "./otlp-schema.js";
export type { AttributeValue, Attributes, OtlpSpan } from "./otlp-spans.js";
export { selectCallSpans } from "./select-call-spans.js";
export {
  defaultSpanAttribution,
  dimensionsOfSpan,
  type SpanAttribution,
  type SpanDimensions,
} from "./span-attribution.js";
export { parseSpanAttribution } from "./parse-span-attribution.js";
export { spanEventId } from "./span-event-id.js";
export { eventOfSpan, type SpanEvent } from "./span-to-event.js";
export { usageOfSpan, type SpanUsage, type UsageConvention } from "./span-usage.js";
export {
  createCostMetrics,
  type CostMetrics,
  type CostMetricsOptions,
  type CounterLike,
  type MeterProviderLike,
} from "./cost-metrics.js";
export { withCostMetrics } from "./cost-metrics-sink.js";
