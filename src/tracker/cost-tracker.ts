import { randomUUID } from "node:crypto";
import path from "node:path";
import { createPricing } from "../pricing/index.js";
import type { CostSdk, LlmCostRecordInput, NewLlmCostRecord } from "../store/cost-record.js";
import type { LedgerLogger } from "../store/logger.js";
import { logError, stderrLogger } from "./default-logger.js";
import type { EventSink } from "./event-sink.js";
import { createEventQueue } from "./event-queue.js";
import {
  createEventPricer,
  type AgentCostPolicy,
  type StampedEvent,
  type TrackerPricing,
} from "./price-event.js";
import { backoffDelay, sleep, type RetryOptions } from "./retry-policy.js";
import { createSpool, type Spool } from "./spool.js";
import type { AgentSdkCallParams, AiSdkCallParams, TrackResult, UsageCallParams } from "./track-types.js";
import { emptyStats, type TrackerStats } from "./tracker-stats.js";
import { parseTrackInput, type InputShape } from "./validate-input.js";
import { writeBatch } from "./write-batch.js";

/** Options of `createCostTracker`. */
export interface CostTrackerOptions {
  /** Where events are written: the TelemetryStore, or any EventSink (e.g. the HTTP sink). */
  telemetryStore: EventSink;
  /** pino-compatible; default: JSON lines on stderr. */
  logger?: LedgerLogger | undefined;
  /** Pricing to use (e.g. `createPricing({ overridesFile })`); default the built-in catalog. */
  pricing?: TrackerPricing | undefined;
  /** Events per write (capped by the sink's `maxBatchSize`). Default 1,000. */
  batchSize?: number | undefined;
  /** Longest time an event waits in the queue before a write. Default 1,000 ms. */
  flushIntervalMs?: number | undefined;
  /**
   * Events held in memory. Beyond it, with the spool on, the queue is spilled to the spool (events
   * are dropped only past twice this, if the disk cannot keep up); with the spool off, new events
   * are dropped — counted and logged. Default 100,000.
   */
  maxQueue?: number | undefined;
  /**
   * Directory of the spool that keeps events while the store is unreachable, or `false` for none.
   * Default `<cwd>/.llm-ledger/spool` (the CLI and server pass `$LLM_LEDGER_HOME/spool`).
   */
  spoolDir?: string | false | undefined;
  /** Called with every write error (after it is logged), e.g. to count outages in metrics. */
  onError?: ((error: unknown) => void) | undefined;
  /** Whose figure leads for Agent SDK calls; see AgentCostPolicy. Default `catalog`. */
  agentCost?: AgentCostPolicy | undefined;
  retry?: RetryOptions | undefined;
  /** With the spool off, how long `close()` keeps retrying an unreachable store before dropping. Default 10 s. */
  closeTimeoutMs?: number | undefined;
  /** Close the sink in `close()` (default true). */
  closeSink?: boolean | undefined;
}

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
  /** Flushes, replays what it can, releases the spool and closes the sink. Once only; later calls return the same promise. */
  close(): Promise<void>;
  stats(): TrackerStats;
}

interface QueuedEvent {
  event: StampedEvent;
  resolve: (result: TrackResult) => void;
}

interface PricedItem {
  record: NewLlmCostRecord;
  resolve: (result: TrackResult) => void;
}

/** Resolves on the event loop's next turn (after pending I/O and timers get a chance to run). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Creates a cost tracker over a store. Each `track…` call validates and stamps the event and queues
 * it; batches are priced and written in the background, retried with backoff, and spooled to disk
 * while the store is unreachable. Every call returns a promise of its TrackResult that never
 * rejects; ignoring it is fine.
 *
 * @example
 * const store = await createTelemetryStore({ databaseUrl: process.env.DATABASE_URL });
 * const tracker = createCostTracker({ telemetryStore: store });
 * void tracker.trackAiSdkCall({ repo: "acme/api", taskType: "review", model: "gpt-4o", provider: "openai",
 *   inputTokens: 1200, outputTokens: 300, durationMs: 840, usedFallback: false });
 * await tracker.close(); // serverless: before returning
 */
export function createCostTracker(options: CostTrackerOptions): CostTracker {
  const sink = options.telemetryStore;
  const logger = options.logger ?? stderrLogger();
  const pricing = options.pricing ?? createPricing();
  const batchSize = Math.max(1, Math.min(options.batchSize ?? 1_000, sink.maxBatchSize ?? Infinity));
  const flushIntervalMs = options.flushIntervalMs ?? 1_000;
  const maxQueue = options.maxQueue ?? 100_000;
  const retry = {
    attempts: options.retry?.attempts ?? 3,
    baseDelayMs: options.retry?.baseDelayMs ?? 100,
    maxDelayMs: options.retry?.maxDelayMs ?? 5_000,
  };
  const closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  const spoolDirectory =
    options.spoolDir === false
      ? undefined
      : (options.spoolDir ?? path.join(process.cwd(), ".llm-ledger", "spool"));
  const spool: Spool | undefined =
    spoolDirectory === undefined ? undefined : createSpool(spoolDirectory, logger);

  const counters = emptyStats();
  const queue = createEventQueue<QueuedEvent>();
  const priceEvent = createEventPricer({
    pricing,
    logger,
    agentCost: options.agentCost ?? "catalog",
    onUnpriced: () => counters.unpriced++,
  });

  let mode: "direct" | "spooling" = "direct";
  let closing = false;
  let closed: Promise<void> | undefined;
  let closeDeadline = Infinity;
  let pumping: Promise<void> | undefined;
  let drainRequested = false;
  let keepAlive = false;
  let flushTimer: NodeJS.Timeout | undefined;
  let probeTimer: NodeJS.Timeout | undefined;
  let nextProbeAt = 0;
  let probeAttempt = 0;
  let replayTurn = true;
  let claimedOrphans = false;
  let enqueued = 0;
  let settled = 0;
  const flushWaiters: { target: number; resolve: () => void }[] = [];

  const settle = (resolve: (result: TrackResult) => void, result: TrackResult) => {
    settled++;
    counters.pending--;
    resolve(result);
  };
  const notifyFlushWaiters = () => {
    for (let index = flushWaiters.length - 1; index >= 0; index--) {
      const waiter = flushWaiters[index]!;
      if (settled >= waiter.target) {
        flushWaiters.splice(index, 1);
        waiter.resolve();
      }
    }
  };

  const reject = (eventId: string, reason: string): TrackResult => {
    counters.rejected++;
    logger.warn({ eventId: eventId || undefined, reason }, `llm-ledger: event rejected: ${reason}`);
    return { eventId, outcome: "rejected", reason };
  };

  const drop = (eventId: string, reason: string): TrackResult => {
    counters.dropped++;
    logError(logger, { eventId, reason, dropped: counters.dropped }, `llm-ledger: EVENT DROPPED (${reason})`);
    return { eventId, outcome: "dropped", reason };
  };

  const reportError = (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    counters.lastError = { message, at: new Date().toISOString() };
    try {
      options.onError?.(error);
    } catch {
      // the caller's handler must not break the tracker
    }
  };

  function enqueue(value: unknown, shape: InputShape, sdk: CostSdk): Promise<TrackResult> {
    const parsed = parseTrackInput(value, shape, sdk);
    if (!parsed.ok) return Promise.resolve(reject(parsed.eventId, parsed.reason));
    const eventId = parsed.input.eventId ?? randomUUID();
    if (closing) return Promise.resolve(drop(eventId, "the tracker is closed"));
    if (queue.length >= (spool ? maxQueue * 2 : maxQueue)) {
      return Promise.resolve(drop(eventId, `the queue is full (${queue.length} events waiting)`));
    }
    counters.accepted++;
    counters.pending++;
    enqueued++;
    const event: StampedEvent = {
      input: parsed.input,
      eventId,
      createdAt: parsed.input.createdAt ?? Date.now(),
    };
    return new Promise<TrackResult>((resolve) => {
      queue.push({ event, resolve });
      if (queue.length >= batchSize || (spool && queue.length >= maxQueue)) schedule();
      else if (!flushTimer) {
        flushTimer = setTimeout(() => {
          flushTimer = undefined;
          drainRequested = true;
          schedule();
        }, flushIntervalMs);
        flushTimer.unref();
      }
    });
  }

  function track(value: unknown, shape: InputShape, sdk: CostSdk): Promise<TrackResult> {
    try {
      return enqueue(value, shape, sdk);
    } catch (error) {
      // Unreachable by design; the caller must never see a throw.
      return Promise.resolve(reject("", `tracker error: ${(error as Error).message}`));
    }
  }

  function schedule(): void {
    if (pumping) return;
    pumping = nextTurn()
      .then(pump)
      .catch((error: unknown) => {
        logError(logger, { error: String(error) }, "llm-ledger: tracker pump failed unexpectedly");
      })
      .finally(() => {
        pumping = undefined;
        notifyFlushWaiters();
        if (queue.length >= batchSize || (drainRequested && queue.length > 0)) schedule();
      });
  }

  /** Prices a batch; events pricing refuses are settled as rejected, repeated ids as duplicates. */
  function priceBatch(batch: QueuedEvent[]): PricedItem[] {
    const items: PricedItem[] = [];
    const seen = new Set<string>();
    for (const { event, resolve } of batch) {
      if (seen.has(event.eventId)) {
        counters.duplicates++;
        settle(resolve, { eventId: event.eventId, outcome: "duplicate" });
        continue;
      }
      seen.add(event.eventId);
      try {
        items.push({ record: priceEvent(event), resolve });
      } catch (error) {
        settle(resolve, reject(event.eventId, `cannot price: ${(error as Error).message}`));
      }
    }
    return items;
  }

  async function pump(): Promise<void> {
    if (!claimedOrphans && spool) {
      claimedOrphans = true;
      const count = await spool.claimOrphans().catch(() => 0);
      if (count > 0)
        logger.warn({ files: count }, "llm-ledger: replaying events spooled by an earlier tracker");
    }
    for (;;) {
      if (spool && queue.length >= maxQueue) {
        await spoolItems(priceBatch(queue.take(queue.length)));
        continue;
      }
      const canReplay = spool?.hasPending() === true && (mode === "direct" || Date.now() >= nextProbeAt);
      if (canReplay && (replayTurn || queue.length === 0)) {
        replayTurn = false;
        await replayChunk();
        await nextTurn();
        continue;
      }
      replayTurn = true;
      if (queue.length > 0 && (queue.length >= batchSize || drainRequested || closing)) {
        const items = priceBatch(queue.take(batchSize));
        if (items.length > 0) {
          if (mode === "spooling" && spool) await spoolItems(items);
          else await deliver(items);
        }
        notifyFlushWaiters();
        // An engine whose writes never wait for I/O (PGlite runs on this thread) would otherwise
        // drain the whole queue without letting timers and I/O run: give the event loop a turn.
        await nextTurn();
        continue;
      }
      if (queue.length === 0) drainRequested = false;
      if (spool?.hasPending() && mode === "spooling" && !closing) armProbe();
      return;
    }
  }

  /** Writes a batch, retrying with backoff; spools it when the store stays unreachable. */
  async function deliver(items: PricedItem[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await writeBatch(
          sink,
          items.map((item) => item.record),
        );
        for (const { record, resolve } of items) {
          const refused = outcome.refused.get(record.eventId);
          if (refused !== undefined)
            settle(resolve, reject(record.eventId, `refused by the store: ${refused}`));
          else if (outcome.duplicates.has(record.eventId)) {
            counters.duplicates++;
            settle(resolve, { eventId: record.eventId, outcome: "duplicate" });
          } else {
            counters.written++;
            settle(resolve, { eventId: record.eventId, outcome: "stored" });
          }
        }
        return;
      } catch (error) {
        reportError(error);
        if (attempt === 0) {
          logger.warn(
            { error: counters.lastError?.message, events: items.length },
            "llm-ledger: write failed; retrying",
          );
        }
        const outOfTime = Date.now() >= closeDeadline;
        if (spool && (attempt + 1 >= retry.attempts || closing || queue.length >= maxQueue)) {
          if (await spoolItems(items)) {
            mode = "spooling";
            nextProbeAt = Date.now() + backoffDelay(probeAttempt++, retry);
            return;
          }
        } else if (!spool && outOfTime) {
          for (const { record, resolve } of items) {
            settle(resolve, drop(record.eventId, "the store stayed unreachable until close() gave up"));
          }
          return;
        }
        counters.retries++;
        await sleep(backoffDelay(attempt, retry), keepAlive || closing);
      }
    }
  }

  /** Appends a batch to the spool and settles it as spooled; false when the disk failed too. */
  async function spoolItems(items: PricedItem[]): Promise<boolean> {
    if (items.length === 0) return true;
    try {
      await spool!.append(items.map((item) => item.record));
    } catch (error) {
      reportError(error);
      logError(
        logger,
        { error: String(error) },
        "llm-ledger: cannot write the spool; keeping events in memory",
      );
      if (queue.length >= maxQueue || closing) {
        for (const { record, resolve } of items) settle(resolve, drop(record.eventId, "spool write failed"));
        return true;
      }
      return false;
    }
    counters.spooled += items.length;
    for (const { record, resolve } of items) settle(resolve, { eventId: record.eventId, outcome: "spooled" });
    return true;
  }

  async function replayChunk(): Promise<void> {
    const chunk = await spool!.next(batchSize);
    if (!chunk) return;
    try {
      const outcome = await writeBatch(sink, chunk.records);
      counters.replayed += outcome.written;
      counters.written += outcome.written;
      counters.duplicates += outcome.duplicates.size;
      for (const [eventId, reason] of outcome.refused) {
        counters.rejected++;
        logError(logger, { eventId, reason }, "llm-ledger: a spooled event was refused by the store");
      }
      await chunk.done();
      if (mode === "spooling")
        logger.warn({}, "llm-ledger: the store is reachable again; replaying the spool");
      mode = "direct";
      probeAttempt = 0;
    } catch (error) {
      reportError(error);
      mode = "spooling";
      nextProbeAt = Date.now() + backoffDelay(probeAttempt++, retry);
    }
  }

  function armProbe(): void {
    if (probeTimer) return;
    probeTimer = setTimeout(
      () => {
        probeTimer = undefined;
        schedule();
      },
      Math.max(0, nextProbeAt - Date.now()),
    );
    if (!closing) probeTimer.unref();
  }

  function flush(): Promise<void> {
    const target = enqueued;
    if (settled >= target) return Promise.resolve();
    drainRequested = true;
    return new Promise<void>((resolve) => {
      flushWaiters.push({ target, resolve });
      keepAlive = true;
      schedule();
    }).finally(() => {
      keepAlive = flushWaiters.length > 0;
    });
  }

  // Claim and replay what earlier trackers left in the spool, in the background.
  if (spool) schedule();

  const onBeforeExit = () => {
    if (queue.length > 0 && !pumping) void flush();
  };
  process.on("beforeExit", onBeforeExit);

  async function shutdown(): Promise<void> {
    process.removeListener("beforeExit", onBeforeExit);
    closing = true;
    closeDeadline = Date.now() + closeTimeoutMs;
    if (flushTimer) clearTimeout(flushTimer);
    if (probeTimer) clearTimeout(probeTimer);
    await flush();
    while (pumping) await pumping;
    if (spool) {
      // One last try at the spool while the store answers; what is left waits for the next tracker.
      // (at least one attempt even after an outage: the store may be back before the probe was due).
      mode = "direct";
      while (spool.hasPending() && mode === "direct") await replayChunk();
      await spool.close();
    }
    if (counters.pending > 0) {
      logError(logger, { pending: counters.pending }, "llm-ledger: tracker closed with events unsettled");
    }
    if (options.closeSink !== false) await sink.close();
  }

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
