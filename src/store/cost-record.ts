/**
 * Which integration recorded an event: the AI SDK, the Claude Agent SDK, a raw provider SDK, HTTP
 * ingest, or OpenTelemetry spans received over OTLP (`POST /v1/traces`).
 */
export type CostSdk = "ai" | "agent" | "raw" | "http" | "otel";

/** Where `estimatedCostUsd` came from: our pricing catalog, the provider's own figure, or nowhere (0). */
export type CostSource = "catalog" | "provider" | "none";

/** The SDK values a record may carry. */
export const costSdks: readonly CostSdk[] = ["ai", "agent", "raw", "http", "otel"];

const eventIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Whether `value` can be an `eventId`: a UUID (the column's type), in either case. */
export function isEventId(value: unknown): value is string {
  return typeof value === "string" && eventIdPattern.test(value);
}

/**
 * One stored row of `llm_cost_events` (name from the original design), in camelCase. Money is an
 * exact decimal string; times are ISO strings. Token counts are numbers: each is validated to at
 * most 10^9 on the way in, far inside the safe-integer range (sums are decimal strings in queries).
 */
export interface LlmCostRecord {
  /** The BIGSERIAL id, as a decimal string. */
  id: string;
  /** The project the event belongs to (`default` unless its writer named one). */
  project: string;
  eventId: string;
  /** The time of the call, stamped by the caller. */
  createdAt: string;
  /** The time of the insert. */
  ingestedAt: string;
  deliveryId: string | null;
  repo: string;
  taskType: string;
  /** The id the provider served or was asked for. */
  model: string;
  /** The pricing catalog's id for `model`, when it resolved. */
  resolvedModel: string | null;
  provider: string;
  sdk: CostSdk;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  cacheWrite1hTokens: number;
  reasoningTokens: number;
  estimatedCostUsd: string;
  providerCostUsd: string | null;
  costSource: CostSource;
  priced: boolean;
  pricingVersion: string | null;
  durationMs: number | null;
  usedFallback: boolean;
  fallbackReason: string | null;
  error: string | null;
  userId: string | null;
  sessionId: string | null;
  traceId: string | null;
  environment: string | null;
  metadata: Record<string, unknown> | null;
  /** The service tier that served the call (`standard`, `batch`, `flex`, `priority`, or the provider's word); null when not said. */
  serviceTier: string | null;
  /** Web searches (or grounded prompts) the provider billed per unit. */
  webSearchRequests: number;
  /** The span of the call within its trace: 16 lower-case hex digits. */
  spanId: string | null;
  /** Uncached audio input tokens, priced at the model's audio rate (not inside `inputTokens`). */
  audioInputTokens: number;
  /** Audio output tokens (not inside `outputTokens`). */
  audioOutputTokens: number;
  /** Image output tokens (not inside `outputTokens`). */
  imageOutputTokens: number;
  /** Cached audio input tokens, priced at the model's cached audio rate (not inside `cacheReadTokens`). */
  cacheReadAudioTokens: number;
  /**
   * The catalog's list price of the call, before a negotiated discount (migration 0014): equal to
   * `estimatedCostUsd` when no discount applied; null when the catalog did not price the call, or
   * for events stored before list prices were kept.
   */
  listCostUsd: string | null;
}

/**
 * A fully priced event ready to be stored: what `recordLlmCost(s)` and every event sink take. The
 * store never prices; the tracker (or an import) fills in the money and the pricing fields.
 */
export interface NewLlmCostRecord {
  /**
   * The team the event belongs to (default `default`): an `eventId` is unique within its project.
   * Queries filter and group by it (`project`); read records carry it, and an import keeps it.
   */
  project?: string | undefined;
  /**
   * When the event was first stored: default the time of this insert. An import keeps the exporting
   * ledger's, so that an export and an import move a ledger without changing it.
   */
  ingestedAt?: string | Date | undefined;
  /** A UUID: makes the write idempotent (within its project). */
  eventId: string;
  createdAt: Date | string;
  repo: string;
  taskType: string;
  model: string;
  resolvedModel?: string | null | undefined;
  provider: string;
  sdk: CostSdk;
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number | undefined;
  cacheWriteTokens?: number | undefined;
  cacheWrite1hTokens?: number | undefined;
  reasoningTokens?: number | undefined;
  /** A decimal string (or a number, converted without binary noise where it can be). */
  estimatedCostUsd: string | number;
  providerCostUsd?: string | number | null | undefined;
  /** Default `catalog`. */
  costSource?: CostSource | undefined;
  /** Default true. */
  priced?: boolean | undefined;
  pricingVersion?: string | null | undefined;
  /**
   * The rates the pricer used (a pricing estimate's `rates`): the event keeps their `ref`, and the
   * store keeps each distinct rate set once (`llm_pricing_rates`), so `explainEventCost` can explain
   * the cost later without pricing again. Absent: the event is stored without them.
   */
  priceRates?: KeptPriceRates | null | undefined;
  durationMs?: number | null | undefined;
  usedFallback?: boolean | undefined;
  fallbackReason?: string | null | undefined;
  deliveryId?: string | null | undefined;
  error?: string | null | undefined;
  userId?: string | null | undefined;
  sessionId?: string | null | undefined;
  traceId?: string | null | undefined;
  environment?: string | null | undefined;
  metadata?: Record<string, unknown> | null | undefined;
  serviceTier?: string | null | undefined;
  webSearchRequests?: number | undefined;
  spanId?: string | null | undefined;
  audioInputTokens?: number | undefined;
  audioOutputTokens?: number | undefined;
  imageOutputTokens?: number | undefined;
  cacheReadAudioTokens?: number | undefined;
  /** The list price before a negotiated discount (a decimal string or a number); absent: null. */
  listCostUsd?: string | number | null | undefined;
}

/** A rate set as the store keeps it: its hash and the JSON record (the pricing module's `PriceRates`). */
export interface KeptPriceRates {
  readonly ref: string;
  readonly catalogId: string;
  readonly provider: string;
  readonly pricingVersion: string;
}

/**
 * What callers hand to the tracker for one LLM call (`tracker.track(input)`): the call's facts,
 * unpriced. Required: `repo`, `taskType`, `model`, `inputTokens`, `outputTokens`. `provider` defaults
 * to the one the pricing catalog derives from `model`; `eventId` to a fresh UUID; `createdAt` to the
 * time of the `track` call. Money (`providerCostUsd`, what a provider or SDK reported) is a number or
 * a decimal string.
 */
export interface LlmCostRecordInput {
  /**
   * The project (a slug) the event belongs to. Default: the tracker's `project`, else the writer's
   * (the HTTP sink's key decides; a database writes `default`).
   */
  project?: string | undefined;
  repo: string;
  taskType: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  provider?: string | undefined;
  sdk?: CostSdk | undefined;
  cacheReadTokens?: number | undefined;
  /** 5-minute cache writes. */
  cacheWriteTokens?: number | undefined;
  cacheWrite1hTokens?: number | undefined;
  /** Informational: already counted in `outputTokens`. */
  reasoningTokens?: number | undefined;
  durationMs?: number | null | undefined;
  usedFallback?: boolean | undefined;
  fallbackReason?: string | null | undefined;
  deliveryId?: string | null | undefined;
  error?: string | null | undefined;
  eventId?: string | undefined;
  createdAt?: Date | string | undefined;
  providerCostUsd?: number | string | null | undefined;
  userId?: string | null | undefined;
  sessionId?: string | null | undefined;
  traceId?: string | null | undefined;
  environment?: string | null | undefined;
  metadata?: Record<string, unknown> | null | undefined;
  /**
   * The service tier that served the call, as the provider said it (`default` reads as `standard`);
   * priced at that tier's prices. Absent: standard.
   */
  serviceTier?: string | null | undefined;
  /** Web searches (or grounded prompts) the provider billed, priced per unit from the catalog. */
  webSearchRequests?: number | undefined;
  /** The span of the call within `traceId` (OpenTelemetry): 16 hex digits, stored in lower case. */
  spanId?: string | null | undefined;
  /**
   * Audio input tokens the provider reported apart from text, uncached (OpenAI
   * `prompt_tokens_details.audio_tokens`, Gemini's `AUDIO` prompt tokens): not inside `inputTokens`,
   * priced at the model's audio input rate.
   */
  audioInputTokens?: number | undefined;
  /** Audio output tokens, not inside `outputTokens`: priced at the model's audio output rate. */
  audioOutputTokens?: number | undefined;
  /** Image output tokens (generated images), not inside `outputTokens`: priced at the image output rate. */
  imageOutputTokens?: number | undefined;
  /**
   * Cached audio input tokens the provider reported apart from cached text (OpenAI
   * `cached_tokens_details.audio_tokens`, Gemini's `AUDIO` cache tokens): not inside
   * `cacheReadTokens`, priced at the model's cached audio rate.
   */
  cacheReadAudioTokens?: number | undefined;
}
