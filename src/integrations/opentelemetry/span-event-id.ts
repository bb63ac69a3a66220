import * as crypto from "node:crypto";

// The one-shot `crypto.hash` (Node 20.12 and later) costs a fraction of a Hash object per span; the
// digest is the same, so earlier Node 20 releases fall back to `createHash`.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: "buffer") => Buffer })
  .hash;

function sha256(text: string): Buffer {
  return oneShotHash === undefined
    ? crypto.createHash("sha256").update(text).digest()
    : oneShotHash("sha256", text, "buffer");
}

/**
 * The event id of a call span: a UUID (version 8, RFC 9562) derived from its trace and span ids, so
 * an exporter that sends a batch again (a retry after a timeout, a second exporter) stores nothing
 * twice. Both ids are lower-case hex, as `spansOfRequest` gives them for either encoding.
 */
export function spanEventId(traceId: string, spanId: string): string {
  const bytes = sha256(`llm-ledger otlp span\0${traceId}\0${spanId}`).subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
