// The spans of a protobuf export, read straight from the messages protobufjs decoded. Its `toObject`
// would copy every message into a plain object (printing each 64-bit integer as text) only for the
// copy to be walked and checked again; the decoder has already given every field its type (ids as hex
// text, read so by otlp-reader.ts), so this walk only turns 64-bit integers into numbers and
// AnyValue unions into plain values.
// It yields the spans `spansOfRequest` yields for the same export sent as OTLP/JSON.
import { dangerousKeys } from "../../events/index.js";
import { int64Value, millisecondsOfNanos, type LongBits } from "./long-bits.js";
import type { AttributeValue, OtlpSpan } from "./otlp-spans.js";

// The decoded messages, as far as the walk reads them. A field the body did not carry reads as the
// default on the message's prototype (0, "", an empty list, null): like `toObject`, the AnyValue
// union counts only the members that are the message's own properties.
interface AnyValueMessage {
  stringValue: string;
  boolValue: boolean;
  intValue: LongBits | number;
  doubleValue: number;
  arrayValue: { values: readonly (AnyValueMessage | null)[] } | null;
  kvlistValue: { values: readonly KeyValueMessage[] } | null;
}
interface KeyValueMessage {
  key: string;
  value: AnyValueMessage | null;
}
interface SpanMessage {
  /** Lower-case hex as read from the body; unset, the prototype's default (empty bytes). */
  traceId: string | Uint8Array;
  spanId: string | Uint8Array;
  parentSpanId: string | Uint8Array;
  name: string;
  startTimeUnixNano: LongBits | number;
  endTimeUnixNano: LongBits | number;
  attributes: readonly KeyValueMessage[];
  status: { code: number; message: string } | null;
}
/** A decoded `ExportTraceServiceRequest`. */
export interface ExportRequestMessage {
  resourceSpans: readonly {
    resource: { attributes: readonly KeyValueMessage[] } | null;
    scopeSpans: readonly { spans: readonly SpanMessage[] }[];
  }[];
}

const maxDepth = 8;

/** An id as read (hex text), or "" when the body did not carry it. */
function idOf(id: string | Uint8Array): string {
  return typeof id === "string" ? id : "";
}

function valueOf(value: AnyValueMessage | null, depth: number): AttributeValue {
  if (value === null || depth > maxDepth) return undefined;
  if (Object.hasOwn(value, "stringValue")) return value.stringValue;
  if (Object.hasOwn(value, "boolValue")) return value.boolValue;
  if (Object.hasOwn(value, "intValue")) return int64Value(value.intValue);
  if (Object.hasOwn(value, "doubleValue")) {
    return Number.isFinite(value.doubleValue) ? value.doubleValue : undefined;
  }
  if (Object.hasOwn(value, "arrayValue")) {
    const items: AttributeValue[] = [];
    for (const item of value.arrayValue?.values ?? []) items.push(valueOf(item, depth + 1));
    return items;
  }
  if (Object.hasOwn(value, "kvlistValue")) {
    const entries: Record<string, AttributeValue> = {};
    for (const [key, item] of attributesOf(value.kvlistValue?.values ?? [], depth + 1)) entries[key] = item;
    return entries;
  }
  return undefined;
}

function attributesOf(pairs: readonly KeyValueMessage[], depth: number): Map<string, AttributeValue> {
  const result = new Map<string, AttributeValue>();
  for (let index = 0; index < pairs.length; index++) {
    const pair = pairs[index]!;
    // Keys that could pollute a prototype are dropped (attribute maps end up in event metadata); a
    // repeated key keeps its first value.
    if (dangerousKeys.has(pair.key) || result.has(pair.key)) continue;
    result.set(pair.key, valueOf(pair.value, depth));
  }
  return result;
}

function millisecondsOrUndefined(nanos: LongBits | number): number | undefined {
  const milliseconds = millisecondsOfNanos(nanos);
  return milliseconds > 0 ? milliseconds : undefined;
}

/** The spans of a decoded `ExportTraceServiceRequest`, in request order. */
export function spansOfMessage(request: ExportRequestMessage): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  // Spans of one trace tend to be exported together: a trace id equal to the previous span's reuses
  // its text (one string for all of them, also in the records they become).
  let traceId = "";
  for (const group of request.resourceSpans) {
    const resource = attributesOf(group.resource?.attributes ?? [], 0);
    for (const scopeSpans of group.scopeSpans) {
      for (const span of scopeSpans.spans) {
        const spanTraceId = idOf(span.traceId);
        if (spanTraceId !== traceId) traceId = spanTraceId;
        spans.push({
          traceId,
          spanId: idOf(span.spanId),
          parentSpanId: idOf(span.parentSpanId),
          name: span.name,
          startMs: millisecondsOrUndefined(span.startTimeUnixNano),
          endMs: millisecondsOrUndefined(span.endTimeUnixNano),
          statusCode: span.status?.code ?? 0,
          statusMessage: span.status?.message ?? "",
          attributes: attributesOf(span.attributes, 0),
          resource,
        });
      }
    }
  }
  return spans;
}
