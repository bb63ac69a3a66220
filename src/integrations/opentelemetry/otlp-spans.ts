// One shape for the spans of an OTLP trace export, whichever encoding carried them. The protobuf
// decoder (ids as bytes) and the JSON parser (ids as hex, 64-bit integers as strings or numbers) both
// hand their request object to `spansOfRequest`, so both encodings yield the same spans and ids.
import { dangerousKeys } from "../../events/index.js";
import { LedgerError } from "../../errors.js";

/** An attribute value: OTLP's AnyValue as a plain value (a key-value list as an object). */
export type AttributeValue =
  | string
  | number
  | boolean
  | readonly AttributeValue[]
  | { readonly [key: string]: AttributeValue }
  | undefined;

/** The attributes of a span or a resource, by key (the first of a repeated key). */
export type Attributes = ReadonlyMap<string, AttributeValue>;

/** One span of an export request, with its resource's attributes. */
export interface OtlpSpan {
  /** Lower-case hex: 32 digits for a valid trace id, 16 for a span id; "" when absent. */
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  /** Epoch milliseconds (from the span's nanoseconds); undefined when absent or zero. */
  startMs: number | undefined;
  endMs: number | undefined;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  statusMessage: string;
  attributes: Attributes;
  resource: Attributes;
}

const forbiddenKeys: ReadonlySet<string> = new Set(dangerousKeys);

/** Refuses a request whose structure is not an OTLP trace export (a 400 at the service). */
function invalid(what: string): never {
  throw new LedgerError("E_OTLP_BODY", `not an OTLP trace export request: ${what}`);
}

function list(value: unknown, what: string): readonly unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) invalid(`${what} must be an array`);
  return value;
}

function object(value: unknown, what: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) invalid(`${what} must be an object`);
  return value as Record<string, unknown>;
}

function text(value: unknown, what: string): string {
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") invalid(`${what} must be a string`);
  return value;
}

/** A trace or span id: bytes (protobuf) or hex text (JSON), as lower-case hex. */
function id(value: unknown, what: string): string {
  if (value === undefined || value === null) return "";
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.length).toString("hex");
  if (typeof value === "string" && /^(?:[0-9a-fA-F]{2})*$/.test(value)) return value.toLowerCase();
  return invalid(`${what} must be hex`);
}

/** Nanoseconds since the epoch (fixed64: a string or a number) as milliseconds. */
function nanosToMs(value: unknown, what: string): number | undefined {
  if (value === undefined || value === null) return undefined;
  const digits = typeof value === "number" ? (Number.isSafeInteger(value) ? String(value) : "x") : value;
  if (typeof digits !== "string" || !/^\d{1,20}$/.test(digits))
    invalid(`${what} must be an unsigned integer`);
  const ms = Number(BigInt(digits) / 1_000_000n);
  return ms > 0 ? ms : undefined;
}

function anyValue(value: unknown, depth: number): AttributeValue {
  const source = object(value, "an attribute value");
  if (depth > 8) return undefined;
  if (typeof source.stringValue === "string") return source.stringValue;
  if (typeof source.boolValue === "boolean") return source.boolValue;
  if (source.intValue !== undefined && source.intValue !== null) {
    // int64: decimal text (protobuf with `longs: String`, and JSON) or a number (JSON).
    const raw = source.intValue;
    const digits = typeof raw === "number" && Number.isInteger(raw) ? String(raw) : raw;
    if (typeof digits !== "string" || !/^-?\d{1,20}$/.test(digits)) invalid("intValue must be an integer");
    const number = Number(digits);
    return Number.isSafeInteger(number) ? number : digits;
  }
  if (source.doubleValue !== undefined && source.doubleValue !== null) {
    const number = Number(source.doubleValue);
    return Number.isFinite(number) ? number : undefined;
  }
  if (source.arrayValue !== undefined) {
    return list(object(source.arrayValue, "arrayValue").values, "arrayValue.values").map((item) =>
      anyValue(item, depth + 1),
    );
  }
  if (source.kvlistValue !== undefined) {
    const entries: Record<string, AttributeValue> = {};
    for (const [key, item] of keyValues(object(source.kvlistValue, "kvlistValue").values, depth + 1)) {
      entries[key] = item;
    }
    return entries;
  }
  return undefined;
}

function keyValues(value: unknown, depth: number): Map<string, AttributeValue> {
  const result = new Map<string, AttributeValue>();
  for (const entry of list(value, "attributes")) {
    const pair = object(entry, "an attribute");
    const key = text(pair.key, "an attribute key");
    // Keys that could pollute a prototype are dropped: attribute maps end up in event metadata.
    if (forbiddenKeys.has(key) || result.has(key)) continue;
    result.set(key, anyValue(pair.value, depth));
  }
  return result;
}

/**
 * The spans of an `ExportTraceServiceRequest` given as an object (protobufjs' `toObject`, or the
 * parsed OTLP/JSON body), in request order. Throws `E_OTLP_BODY` when its structure is not one.
 */
export function spansOfRequest(request: unknown): OtlpSpan[] {
  if (typeof request !== "object" || request === null || Array.isArray(request)) {
    invalid("the body must be an object");
  }
  const spans: OtlpSpan[] = [];
  for (const resourceSpans of list((request as Record<string, unknown>).resourceSpans, "resourceSpans")) {
    const group = object(resourceSpans, "resourceSpans[]");
    const resource = keyValues(object(group.resource, "resource").attributes, 0);
    for (const scopeSpans of list(group.scopeSpans, "scopeSpans")) {
      for (const item of list(object(scopeSpans, "scopeSpans[]").spans, "spans")) {
        const span = object(item, "a span");
        const status = object(span.status, "status");
        spans.push({
          traceId: id(span.traceId, "traceId"),
          spanId: id(span.spanId, "spanId"),
          parentSpanId: id(span.parentSpanId, "parentSpanId"),
          name: text(span.name, "name"),
          startMs: nanosToMs(span.startTimeUnixNano, "startTimeUnixNano"),
          endMs: nanosToMs(span.endTimeUnixNano, "endTimeUnixNano"),
          statusCode: typeof status.code === "number" ? status.code : 0,
          statusMessage: text(status.message, "status.message"),
          attributes: keyValues(span.attributes, 0),
          resource,
        });
      }
    }
  }
  return spans;
}
