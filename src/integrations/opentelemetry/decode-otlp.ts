import type { Message } from "protobufjs";
import { LedgerError } from "../../errors.js";
import { otlpSchema } from "./otlp-schema.js";
import { spansOfRequest, type OtlpSpan } from "./otlp-spans.js";

/**
 * The spans of an OTLP/HTTP protobuf body (`application/x-protobuf`), decoded with protobufjs from
 * the official schema. An undecodable body is `E_OTLP_BODY`.
 */
export function decodeProtobufSpans(body: Uint8Array): OtlpSpan[] {
  const { request } = otlpSchema();
  let message: Message;
  try {
    message = request.decode(body);
  } catch (error) {
    throw new LedgerError("E_OTLP_BODY", "the body is not a protobuf ExportTraceServiceRequest", {
      cause: error,
    });
  }
  // 64-bit integers as decimal text (exact), ids and bytes left as bytes (turned to hex by spansOfRequest).
  return spansOfRequest(request.toObject(message, { longs: String, enums: Number }));
}

/**
 * The spans of an OTLP/JSON body (`application/json`, already parsed): the protobuf JSON mapping with
 * ids as hex, as the OTLP specification defines it.
 */
export function decodeJsonSpans(body: unknown): OtlpSpan[] {
  return spansOfRequest(body);
}
