import { randomUUID } from "node:crypto";
import path from "node:path";
import { createPricing } from "../pricing/index.js";
import type { CostSdk, LlmCostRecordInput, NewLlmCostRecord } from "../store/cost-record.js";
import { createBatchWriter, type BatchWriter } from "./batch-writer.js";
import { logError, stderrLogger } from "./default-logger.js";
import { createEventOutcomes, type PricedItem } from "./event-outcomes.js";
import { createBatchPricer, type QueuedEvent } from "./price-batch.js";
import { createEventPricer, parseEventInput, type InputShape, type ValidInput } from "../events/index.js";
import { createSpoolOverflow } from "./spool-overflow.js";
import type { AgentSdkCallParams, AiSdkCallParams, TrackResult, UsageCallParams } from "./track-types.js";
import type { TrackerStats } from "./tracker-stats.js";
import { createTrackerSink } from "./tracker-sink.js";
import {
  batchSizeOf,
  defaultProjectOf,
  sinkOf,
  writeConcurrencyOf,
  type CostTrackerOptions,
} from "./tracker-options.js";

export type { CostTrackerOptions } from "./tracker-options.js";

/** The cost tracker: records LLM calls without blocking or failing the caller. */
export interface CostTracker {
  /** Records one call in the original design's AI SDK form (`sdk = 'ai'`). */
  trackAiSdkCall(params: AiSdkCallParams): Promise<TrackResult>;
  /** Records one Claude Agent SDK run (`sdk = 'agent'`); `costUsd` is kept as the provider's figure. */
  trackAgentSdkCall(params: AgentSdkCallParams): Promise<TrackResult>;
  /** Records one call from a usage object in the pricing convention (`sdk` default `raw`). */
  trackUsage(params: UsageCallParams): Promise<TrackResult>;
  /** Records one call given as an LlmCostRecordInput (`sdk` default `raw`). */
  track(input: LlmCostRecordInput): Promise<TrackResult>;
  /** Resolves when every event tracked before the call is durable (written or spooled) or settled otherwise. */
  flush(): Promise<void>;
  /**
   * Flushes, replays what it can and releases the spool; closes the sink only with `closeSink: true`
   * (the store the caller created stays open). Once only; later calls return the same promise.
   */
  close(): Promise<void>;
  /** A copy of the tracker's counters (events accepted, written, spooled, dropped, …) and last error. */
  stats(): TrackerStats;
}

/**
 * A new event id as a flat string. Node builds `randomUUID()`'s text by concatenation: a rope of
 * about 480 bytes of heap, which would live as long as the event waits in the queue (and be copied
 * by every young-generation GC meanwhile). Reading a character flattens it to about 60.
 */
function freshEventId(): string {
  const id = randomUUID();
  id.charCodeAt(0);
  return id;
}

/**
 * Creates a cost tracker over a sink (the store, or the HTTP sink). Each `track…` call validates and
 * stamps the event and queues it; a batch writer prices batches and writes them in the background
 * through the sink, which is wrapped to isolate refused records, to retry with backoff, and to spool
 * to disk while the store is unreachable. Every call returns a promise of its TrackResult that never
 * rejects; ignoring it is fine.
 *
 * @example
 * const store = await createTelemetryStore({ databaseUrl: process.env.DATABASE_URL });
 * const tracker = createCostTracker({ sink: store });
 * void tracker.trackAiSdkCall({ repo: "acme/api", taskType: "review", model: "gpt-4o", provider: "openai",
 *   inputTokens: 1200, outputTokens: 300, durationMs: 840, usedFallback: false });
 * await tracker.close(); // serverless: before returning; the store stays open for queries
 * await store.close(); // when the application is done with it
 */
export function createCostTracker(options: CostTrackerOptions): CostTracker {
  const store = sinkOf(options);
  const logger = options.logger ?? stderrLogger();
  const pricing = options.pricing ?? createPricing();
  const project = defaultProjectOf(options.project);
  const batchSize = batchSizeOf(options.batchSize, store);
  const maxQueue = options.maxQueue ?? 100_000;
  const retry = {
    attempts: options.retry?.attempts ?? 3,
    baseDelayMs: options.retry?.baseDelayMs ?? 100,
    maxDelayMs: options.retry?.maxDelayMs ?? 5_000,
  };
  const closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  const writeConcurrency = writeConcurrencyOf(options.writeConcurrency, store);
  const spoolDirectory =
    options.spoolDir === false
      ? undefined
      : (options.spoolDir ?? path.join(process.cwd(), ".llm-ledger", "spool"));
  const outcomes = createEventOutcomes(logger, options.onError);
  const { counters } = outcomes;
  let closeDeadline = Infinity;

  const { deliver, divert, spooling } = createTrackerSink({
    store,
    spoolDirectory,
    retry,
    replayBatchSize: batchSize,
    logger,
    outcomes,
    deadline: () => closeDeadline,
    writer: () => writer,
  });

  const overflow =
    spooling &&
    createSpoolOverflow({
      directory: spooling.directory,
      adopt: (file) => spooling.adopt(file),
      onError: (error) => {
        outcomes.reportError(error);
        logError(logger, { error: String(error) }, "llm-ledger: cannot write the spool's overflow file");
      },
    });

  const priceEvent = createEventPricer({
    pricing,
    logger,
    agentCost: options.agentCost ?? "catalog",
    onUnpriced: () => counters.unpriced++,
  });

  const writer: BatchWriter<QueuedEvent> = createBatchWriter<QueuedEvent, PricedItem[]>({
    batchSize,
    flushIntervalMs: options.flushIntervalMs ?? 1_000,
    maxQueue,
    concurrency: writeConcurrency,
    prepare: createBatchPricer(priceEvent, outcomes),
    isEmpty: (items) => items.length === 0,
    write: deliver,
    divert,
    backlog: spooling,
    onFailure(error) {
      logError(logger, { error: String(error) }, "llm-ledger: tracker pump failed unexpectedly");
    },
  });

  function enqueue(value: unknown, shape: InputShape, sdk: CostSdk): Promise<TrackResult> {
    const parsed = parseEventInput(value, shape, sdk);
    if (!parsed.ok) return Promise.resolve(outcomes.reject(parsed.eventId, parsed.reason));
    const eventId = parsed.input.eventId ?? freshEventId();
    if (parsed.input.project === null && project !== undefined) parsed.input.project = project;
    if (writer.closing) return Promise.resolve(outcomes.drop(eventId, "the tracker is closed"));
    if (writer.full) {
      if (overflow) return overflowEvent(parsed.input, eventId);
      return Promise.resolve(outcomes.drop(eventId, `the queue is full (${writer.length} events waiting)`));
    }
    counters.accepted++;
    counters.pending++;
    const input = parsed.input;
    const createdAt = input.createdAt ?? Date.now();
    return new Promise<TrackResult>((resolve) => writer.add({ input, eventId, createdAt, resolve }));
  }

  /**
   * An event past the memory bound, with the spool on: priced now and appended to the spool's
   * overflow file on the caller's thread; `spooled` once that file is synced (see spool-overflow.ts).
   */
  function overflowEvent(input: ValidInput, eventId: string): Promise<TrackResult> {
    let record: NewLlmCostRecord;
    try {
      record = priceEvent({ input, eventId, createdAt: input.createdAt ?? Date.now() });
    } catch (error) {
      return Promise.resolve(outcomes.reject(eventId, `cannot price: ${(error as Error).message}`));
    }
    counters.accepted++;
    counters.pending++;
    return new Promise<TrackResult>((resolve) => {
      const lost = "the queue is full and the spool's overflow file could not be written";
      try {
        overflow!.append(record, (synced) => {
          if (!synced) return outcomes.settle(resolve, outcomes.drop(eventId, lost));
          counters.spooled++;
          outcomes.settle(resolve, { eventId, outcome: "spooled" });
        });
      } catch (error) {
        outcomes.reportError(error);
        outcomes.settle(resolve, outcomes.drop(eventId, `${lost}: ${(error as Error).message}`));
      }
    });
  }

  function track(value: unknown, shape: InputShape, sdk: CostSdk): Promise<TrackResult> {
    try {
      return enqueue(value, shape, sdk);
    } catch (error) {
      // Unreachable by design; the caller must never see a throw.
      return Promise.resolve(outcomes.reject("", `tracker error: ${(error as Error).message}`));
    }
  }

  /** Resolves when every event tracked so far is settled: the queue's, and the overflow's. */
  function flush(): Promise<void> {
    const queued = writer.forceFlush();
    return overflow ? Promise.all([queued, overflow.settled()]).then(() => {}) : queued;
  }

  // Claim and replay what earlier trackers left in the spool, in the background.
  if (spooling) writer.wake();

  const onBeforeExit = () => {
    if (writer.stalled()) void flush();
  };
  process.on("beforeExit", onBeforeExit);

  async function shutdown(): Promise<void> {
    process.removeListener("beforeExit", onBeforeExit);
    writer.stop();
    closeDeadline = Date.now() + closeTimeoutMs;
    spooling?.stopProbing();
    await flush();
    await writer.idle();
    // Replays the spool until the close deadline; what is left then waits for the next tracker.
    if (spooling) await spooling.release(closeDeadline);
    if (counters.pending > 0) {
      logError(logger, { pending: counters.pending }, "llm-ledger: tracker closed with events unsettled");
    }
    if (options.closeSink === true) await store.close();
  }

  let closed: Promise<void> | undefined;
  return {
    trackAiSdkCall: (params) => track(params, "ai", "ai"),
    trackAgentSdkCall: (params) => track(params, "agent", "agent"),
    trackUsage: (params) => track(params, "usage", "raw"),
    track: (input) => track(input, "record", "raw"),
    flush,
    close() {
      closed ??= shutdown().catch((error: unknown) => {
        logError(logger, { error: String(error) }, "llm-ledger: error while closing the tracker");
      });
      return closed;
    },
    stats: () => ({ ...counters, lastError: counters.lastError && { ...counters.lastError } }),
  };
}
