// The fields of an event, listed once. A caller (tracker, HTTP ingest) sends the input fields; the
// ledger adds the priced fields; an export writes both and an import reads both back.
import type { LlmCostRecord, LlmCostRecordInput } from "../store/cost-record.js";

/** A field an exported event carries. */
export type ExportedField = keyof Omit<LlmCostRecord, "id">;

/**
 * Every field of an exported event, in file order: the columns of `llm-ledger export --format csv` and
 * of `GET /v1/events` with `Accept: text/csv` (the JSONL objects carry the same keys).
 */
export const eventExportFields: ReadonlyArray<ExportedField> = [
  "eventId",
  "createdAt",
  "ingestedAt",
  "repo",
  "taskType",
  "model",
  "resolvedModel",
  "provider",
  "sdk",
  "inputTokens",
  "outputTokens",
  "cacheReadTokens",
  "cacheWriteTokens",
  "cacheWrite1hTokens",
  "reasoningTokens",
  "estimatedCostUsd",
  "providerCostUsd",
  "costSource",
  "priced",
  "pricingVersion",
  "durationMs",
  "usedFallback",
  "fallbackReason",
  "error",
  "deliveryId",
  "userId",
  "sessionId",
  "traceId",
  "environment",
  "metadata",
  // Last, so the columns of exports made before projects keep their places.
  "project",
  // Charges beyond tokens (migration 0009), after the columns of earlier exports.
  "serviceTier",
  "webSearchRequests",
  // After project, for the same reason (migration 0008).
  "spanId",
  // Modality tokens priced apart from text (migration 0013), after the columns of earlier exports.
  "audioInputTokens",
  "audioOutputTokens",
  "imageOutputTokens",
  // The list price before a negotiated discount (migration 0014), after the earlier exports' columns.
  "listCostUsd",
  // Cached audio priced apart from cached text (migration 0016), after the earlier exports' columns.
  "cacheReadAudioTokens",
];

/**
 * The fields the ledger fills in when it prices and stores an event, and the project the writer's key
 * decides (HTTP ingest reads a `project` it names, server/project-scope.ts): a tracker never sends them.
 */
export const pricedEventFields = [
  "project",
  "ingestedAt",
  "resolvedModel",
  "estimatedCostUsd",
  "costSource",
  "priced",
  "pricingVersion",
  "listCostUsd",
] as const satisfies readonly ExportedField[];

/** A field a caller may send: a key of `LlmCostRecordInput`. */
export type InputField = keyof LlmCostRecordInput;

const priced: ReadonlySet<string> = new Set(pricedEventFields);

/** The fields a caller may send (the exported fields but the priced ones), in file order. */
export const eventInputFields = eventExportFields.filter(
  (field) => !priced.has(field),
) as ReadonlyArray<InputField>;

// Both lists follow the record types: the compiler flags a field added to one and not the other.
type Unlisted = Exclude<ExportedField, InputField | (typeof pricedEventFields)[number]>;
type Unknown = Exclude<InputField, ExportedField>;
const everyFieldListed: [Unlisted, Unknown] extends [never, never] ? true : never = true;
void everyFieldListed;
