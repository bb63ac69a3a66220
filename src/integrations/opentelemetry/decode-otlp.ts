import type { Message } from "protobufjs";
import { LedgerError } from "../../errors.js";
import { otlpReader } from "./otlp-reader.js";
import { otlpSchema } from "./otlp-schema.js";
import { spansOfMessage, type ExportRequestMessage } from "./otlp-messages.js";
import { spansOfRequest, type OtlpSpan } from "./otlp-spans.js";

/**
 * The spans of an OTLP/HTTP protobuf body (`application/x-protobuf`), decoded with protobufjs from
 * the official schema (ids read as hex text). An undecodable body is `E_OTLP_BODY`.
 */
export function decodeProtobufSpans(body: Uint8Array): OtlpSpan[] {
  const { request } = otlpSchema();
  // protobufjs decodes strings with Node's native UTF-8 decoder only when it reads a Buffer (from a
  // plain Uint8Array it takes its JavaScript one): the same memory, seen as a Buffer, not a copy.
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  let message: Message;
  try {
    message = request.decode(otlpReader(bytes));
  } catch (error) {
    throw new LedgerError("E_OTLP_BODY", "the body is not a protobuf ExportTraceServiceRequest", {
      cause: error,
    });
  }
  return spansOfMessage(message as unknown as ExportRequestMessage);
}

/**
 * The spans of an OTLP/JSON body (`application/json`, already parsed): the protobuf JSON mapping with
 * ids as hex, as the OTLP specification defines it.
 */
export function decodeJsonSpans(body: unknown): OtlpSpan[] {
  return spansOfRequest(body);
}
