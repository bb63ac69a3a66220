import * as crypto from "node:crypto";

// The one-shot `crypto.hash` (Node 20.12 and later) costs a fraction of a Hash object per span; the
// digest is the same, so earlier Node 20 releases fall back to `createHash`.
const oneShotHash = (crypto as { hash?: (algorithm: string, data: string, encoding: "hex") => string }).hash;

function sha256Hex(text: string): string {
  return oneShotHash === undefined
    ? crypto.createHash("sha256").update(text).digest("hex")
    : oneShotHash("sha256", text, "hex");
}

/** The RFC 9562 variant (binary 10) over the two low bits of a hex digit, by the digit's value. */
const variantDigits = "89ab89ab89ab89ab";

/**
 * The event id of a call span: a UUID (version 8, RFC 9562) made of the first 122 bits of the
 * SHA-256 of its trace and span ids, so an exporter that sends a batch again (a retry after a
 * timeout, a second exporter) stores nothing twice. A hash of both ids, rather than the ids
 * themselves, because 24 bytes of ids do not fit in a UUID's 16; SHA-256 because a collision of two
 * distinct spans, which would silently drop the later one as a duplicate, must stay out of reach
 * even for ids an instrumentation does not draw at random. Version 8 keeps these ids apart from the
 * random (version 4) ids of the other entry points. Both ids are lower-case hex, as the decoders
 * give them for either encoding, so protobuf and JSON exports of a span get the same id.
 *
 * The digest is taken as hex text and the version and variant written into that text: the same id
 * as setting the bits in the digest's bytes, without a buffer per span. The parts are joined, not
 * added: `+` makes a tree of string pieces that the group commit's id lookups had to flatten later,
 * in the service's profile a cost of its own per span.
 */
export function spanEventId(traceId: string, spanId: string): string {
  const hex = sha256Hex(`llm-ledger otlp span\0${traceId}\0${spanId}`);
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    "8" + hex.slice(13, 16),
    variantDigits[Number.parseInt(hex[16]!, 16)]! + hex.slice(17, 20),
    hex.slice(20, 32),
  ].join("-");
}
