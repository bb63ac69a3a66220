import { LedgerError } from "../errors.js";
import type { NewLlmCostRecord } from "../store/cost-record.js";
import type { EventSink, SinkRejection, SinkWriteResult } from "./event-sink.js";

// Answers that say nothing about the events themselves: try again later (see HttpSinkError).
const transientStatuses: ReadonlySet<number> = new Set([401, 403, 404, 408, 429]);

/** The largest batch the service accepts in one `POST /v1/events`. */
const maxEventsPerRequest = 1_000;

/** Options of `createHttpSink`: the service's URL, an `ingest` key, and how long a request may take. */
export interface HttpSinkOptions {
  /** The service's base URL, e.g. `http://127.0.0.1:8787`. */
  url: string;
  /** An API key with the `ingest` scope. */
  apiKey: string;
  /** Time one request may take; default 15 s. */
  timeoutMs?: number | undefined;
  /** The fetch implementation (tests, proxies); default the global `fetch`. */
  fetch?: typeof fetch | undefined;
}

/**
 * A failed delivery to the service. `transient` tells the tracker whether to try again (5xx, 408,
 * 429, network errors, time-outs, and 401/403/404: a missing, revoked or wrong key or URL says
 * nothing about the events, so they wait in the spool for the operator's fix instead of being
 * refused) or to treat the events as refused (any other 4xx: the tracker then splits the batch to
 * isolate the refused ones). Events the service rejects one by one are no error: they come back in
 * the result's `rejected`.
 */
export class HttpSinkError extends LedgerError {
  readonly transient: boolean;
  readonly status: number | undefined;

  constructor(
    message: string,
    options: { transient: boolean; status?: number | undefined; cause?: unknown },
  ) {
    super(options.transient ? "E_SINK_UNAVAILABLE" : "E_SINK_REFUSED", message, { cause: options.cause });
    this.name = "HttpSinkError";
    this.transient = options.transient;
    this.status = options.status;
  }
}

/**
 * An event sink that sends the tracker's batches to a running llm-ledger service instead of a
 * database, with the same batching, retry and spool guarantees (the tracker provides those). Every
 * event carries its `eventId`, so a retried request never double-counts; the service prices events
 * itself, so only the facts of each call are sent.
 *
 * @example
 * const tracker = createCostTracker({
 *   sink: createHttpSink({ url: "https://ledger.internal", apiKey: process.env.LEDGER_KEY! }),
 * });
 */
export function createHttpSink(options: HttpSinkOptions): EventSink {
  let endpoint: URL;
  try {
    endpoint = new URL("/v1/events", options.url);
  } catch (cause) {
    throw new LedgerError(
      "E_SINK_URL",
      `createHttpSink: url must be an absolute URL, got ${JSON.stringify(options.url)}`,
      {
        cause,
      },
    );
  }
  if (typeof options.apiKey !== "string" || options.apiKey === "") {
    throw new LedgerError("E_SINK_KEY", "createHttpSink: apiKey (a key with the ingest scope) is required");
  }
  const send = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;

  async function post(records: readonly NewLlmCostRecord[]): Promise<SinkWriteResult> {
    let response: Response;
    try {
      response = await send(endpoint, {
        method: "POST",
        headers: { authorization: `Bearer ${options.apiKey}`, "content-type": "application/json" },
        body: JSON.stringify({ events: records.map(toWireEvent) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new HttpSinkError(`cannot reach ${endpoint.origin}: ${(cause as Error).message}`, {
        transient: true,
        cause,
      });
    }
    const text = await response.text().catch(() => "");
    if (!response.ok) {
      const transient = response.status >= 500 || transientStatuses.has(response.status);
      throw new HttpSinkError(`${endpoint.href} answered ${response.status}: ${errorMessage(text)}`, {
        transient,
        status: response.status,
      });
    }
    let answer: { accepted?: unknown; duplicates?: unknown; rejected?: unknown };
    try {
      answer = JSON.parse(text) as typeof answer;
    } catch (cause) {
      throw new HttpSinkError(`${endpoint.href} answered 200 with a body that is not JSON`, {
        transient: true,
        cause,
      });
    }
    return {
      inserted: Number(answer.accepted ?? 0),
      duplicates: Number(answer.duplicates ?? 0),
      rejected: rejectionsOf(answer.rejected, records),
    };
  }

  return {
    maxBatchSize: maxEventsPerRequest,
    // The service commits requests that arrive while a write is in flight together (its group
    // commit, two groups at a time on a server): a second request in flight keeps it busy.
    maxConcurrentWrites: 2,
    async recordLlmCosts(records) {
      let inserted = 0;
      let duplicates = 0;
      const rejected: SinkRejection[] = [];
      for (let start = 0; start < records.length; start += maxEventsPerRequest) {
        const result = await post(records.slice(start, start + maxEventsPerRequest));
        inserted += result.inserted;
        duplicates += result.duplicates;
        rejected.push(...(result.rejected ?? []));
      }
      return rejected.length > 0 ? { inserted, duplicates, rejected } : { inserted, duplicates };
    },
    async close() {},
  };
}

/**
 * The event as the service's `POST /v1/events` takes it: the call's facts and the pricing intent,
 * never our cost estimate. The service prices with the same rules; the one choice it cannot see
 * in the facts is the tracker's `agentCost: "sdk"`, visible in the record as an Agent SDK event
 * the catalog priced whose cost came from the provider's figure: that travels as `agentCost`.
 */
function toWireEvent(record: NewLlmCostRecord): Record<string, unknown> {
  const createdAt = record.createdAt instanceof Date ? record.createdAt.toISOString() : record.createdAt;
  const event: Record<string, unknown> = {
    // Absent unless the application named one: the service then writes to its key's project.
    project: record.project,
    eventId: record.eventId,
    createdAt,
    repo: record.repo,
    taskType: record.taskType,
    model: record.model,
    provider: record.provider,
    sdk: record.sdk,
    inputTokens: record.inputTokens,
    outputTokens: record.outputTokens,
    cacheReadTokens: record.cacheReadTokens,
    cacheWriteTokens: record.cacheWriteTokens,
    cacheWrite1hTokens: record.cacheWrite1hTokens,
    reasoningTokens: record.reasoningTokens,
    durationMs: record.durationMs,
    usedFallback: record.usedFallback,
    fallbackReason: record.fallbackReason,
    deliveryId: record.deliveryId,
    error: record.error,
    providerCostUsd:
      record.providerCostUsd === null || record.providerCostUsd === undefined
        ? undefined
        : String(record.providerCostUsd),
    userId: record.userId,
    sessionId: record.sessionId,
    traceId: record.traceId,
    environment: record.environment,
    metadata: record.metadata,
    serviceTier: record.serviceTier,
    webSearchRequests: record.webSearchRequests === 0 ? undefined : record.webSearchRequests,
    spanId: record.spanId,
    audioInputTokens: record.audioInputTokens === 0 ? undefined : record.audioInputTokens,
    audioOutputTokens: record.audioOutputTokens === 0 ? undefined : record.audioOutputTokens,
    imageOutputTokens: record.imageOutputTokens === 0 ? undefined : record.imageOutputTokens,
    cacheReadAudioTokens: record.cacheReadAudioTokens === 0 ? undefined : record.cacheReadAudioTokens,
    agentCost:
      record.sdk === "agent" && record.priced && record.costSource === "provider" ? "sdk" : undefined,
  };
  for (const key of Object.keys(event))
    if (event[key] === undefined || event[key] === null) delete event[key];
  return event;
}

/** The service's per-index rejections as event ids; an index outside the request is ignored. */
function rejectionsOf(answer: unknown, records: readonly NewLlmCostRecord[]): SinkRejection[] | undefined {
  if (!Array.isArray(answer) || answer.length === 0) return undefined;
  const rejected: SinkRejection[] = [];
  for (const entry of answer as { index?: unknown; error?: unknown }[]) {
    const record = typeof entry?.index === "number" ? records[entry.index] : undefined;
    if (record)
      rejected.push({ eventId: record.eventId, reason: `the service rejected it: ${String(entry.error)}` });
  }
  return rejected;
}

function errorMessage(text: string): string {
  try {
    const parsed = JSON.parse(text) as { error?: { message?: string } };
    return parsed.error?.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200) || "no details";
  }
}
