import { createHash } from "node:crypto";

/**
 * A UUID (version 8, RFC 9562) derived from `parts`: the same parts always give the same id, so an
 * event tracked twice is written once (the ledger's `event_id` is unique).
 */
export function deriveEventId(...parts: readonly string[]): string {
  const digest = createHash("sha256")
    .update(JSON.stringify(["llm-ledger", ...parts]))
    .digest();
  const bytes = digest.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
