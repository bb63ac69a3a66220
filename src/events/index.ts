// What an event is: its token buckets, its fields, the one parser (with one set of limits) every entry
// point uses, and the one pricer. The tracker, HTTP ingest, import, queries and integrations import
// it from here; it depends only on pricing, the store's record types and errors.
export { canonicalProvider } from "./canonical-provider.js";
export { eventExportFields, eventInputFields, pricedEventFields } from "./event-fields.js";
export type { ExportedField, InputField } from "./event-fields.js";
export { dangerousKeys, firstDangerousKey } from "./dangerous-keys.js";
export { parseCreatedAt } from "./parse-created-at.js";
export { parseEventInput } from "./parse-event-input.js";
export type { InputShape, ParseInputOptions, ParsedInput, ValidInput } from "./parse-event-input.js";
export type { BlankNames } from "./field-checks.js";
export { parseStoredEvent } from "./parse-stored-event.js";
export type { ParsedStoredEvent } from "./parse-stored-event.js";
export { createEventPricer } from "./price-event.js";
export type { AgentCostPolicy, StampedEvent, TrackerPricing } from "./price-event.js";
export { feeFields, maxTokensPerCall, modalityFields, tokenFields } from "./token-usage.js";
export type { EventUsage, FeeField, TokenField, UsageField } from "./token-usage.js";
export { validateMetadata } from "./validate-metadata.js";
export { cleanFreeText, unstorableText } from "./well-formed-text.js";
