import { randomUUID } from "node:crypto";
import path from "node:path";
import { LedgerError } from "../errors.js";
import { createPricing } from "../pricing/index.js";
import type { CostSdk, LlmCostRecordInput, NewLlmCostRecord } from "../store/cost-record.js";
import type { LedgerLogger } from "../logger.js";
import { logError, stderrLogger } from "./default-logger.js";
import type { EventSink } from "./event-sink.js";
import { createEventQueue } from "./event-queue.js";
import {
  createEventPricer,
  parseEventInput,
  type AgentCostPolicy,
  type InputShape,
  type StampedEvent,
  type TrackerPricing,
  type ValidInput,
} from "../events/index.js";
import { backoffDelay, sleep, type RetryOptions } from "./retry-policy.js";
import { createSpool, type Spool } from "./spool.js";
import { createSpoolOverflow, type SpoolOverflow } from "./spool-overflow.js";
import type { AgentSdkCallParams, AiSdkCallParams, TrackResult, UsageCallParams } from "./track-types.js";
import { emptyStats, type TrackerStats } from "./tracker-stats.js";
import { writeBatch } from "./write-batch.js";

/** Options of `createCostTracker`. */
export interface CostTrackerOptions {
  /** Where events are written: the TelemetryStore, or any EventSink (e.g. the HTTP sink). */
  telemetryStore: EventSink;
  /** pino-compatible; default: JSON lines on stderr. */
  logger?: LedgerLogger | undefined;
  /** Pricing to use (e.g. `createPricing({ overridesFile })`); default the built-in catalog. */
  pricing?: TrackerPricing | undefined;
  /**
   * Events per write (capped by the sink's `maxBatchSize`). Default: the sink's `preferredBatchSize`
   * (the store: 2,000 on a Postgres server, 1,000 on PGlite in its worker thread), else 1,000.
   */
  batchSize?: number | undefined;
  /** Longest time an event waits in the queue before a write. Default 1,000 ms. */
  flushIntervalMs?: number | undefined;
  /**
   * Events held in memory. With the spool on, the spool is the overflow: once this many wait, the
   * writer spills the queue to the spool, and events tracked before it could (a synchronous burst)
   * are appended at once to an overflow file, synced at the end of the event-loop turn and replayed
   * like any spool file — they answer `spooled`, and are dropped only if the disk refuses them. With
   * the spool off, new events beyond it are dropped — counted and logged. Default 100,000.
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
  /**
   * How long `close()` keeps retrying an unreachable store: with the spool off before dropping what it
   * holds, with the spool on before leaving the spooled events for the next tracker. Default 10 s.
   */
  closeTimeoutMs?: number | undefined;
  /**
   * Close the sink in `close()`. Default false: the caller created the store (or the HTTP sink) and
   * owns it, so it stays open for the queries that follow (`queryCosts(store, …)`) and the caller
   * closes it. Pass true to hand it over, e.g. a one-off script that opens both and closes only the
   * tracker.
   */
  closeSink?: boolean | undefined;
  /**
   * Batches written at once in direct mode (a whole number from 1 to 64). Default: the sink's
   * `maxConcurrentWrites` (2 for the store on a Postgres server, 1 on PGlite), else 1.
   */
  writeConcurrency?: number | undefined;
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
  /**
   * Flushes, replays what it can and releases the spool; closes the sink only with `closeSink: true`
   * (the store the caller created stays open). Once only; later calls return the same promise.
   */
  close(): Promise<void>;
  stats(): TrackerStats;
}

/** A stamped event and its caller's promise: one object per queued event (it lives until written). */
interface QueuedEvent extends StampedEvent {
  resolve: (result: TrackResult) => void;
}

interface PricedItem {
  record: NewLlmCostRecord;
  resolve: (result: TrackResult) => void;
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

/** Resolves on the event loop's next turn (after pending I/O and timers get a chance to run). */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const maxWriteConcurrency = 64;

/**
 * Events priced in one event-loop turn: about a millisecond of work, so that pricing adds little to
 * the longest stall (which GC pauses and the store's encoding of a batch also take part in).
 */
const priceSlice = 250;

/** The option when given (validated), else the sink's wish, else 1. */
function writeConcurrencyOf(option: number | undefined, sink: EventSink): number {
  if (option === undefined) {
    const wanted = sink.maxConcurrentWrites;
    return typeof wanted === "number" && Number.isInteger(wanted) && wanted >= 1
      ? Math.min(wanted, maxWriteConcurrency)
      : 1;
  }
  if (!Number.isInteger(option) || option < 1 || option > maxWriteConcurrency) {
    throw new LedgerError(
      "E_OPTIONS",
      `createCostTracker: writeConcurrency must be a whole number from 1 to ${maxWriteConcurrency}, got ${String(option)}`,
    );
  }
  return option;
}

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
 * await tracker.close(); // serverless: before returning; the store stays open for queries
 * await store.close(); // when the application is done with it
 */
export function createCostTracker(options: CostTrackerOptions): CostTracker {
  const sink = options.telemetryStore;
  const logger = options.logger ?? stderrLogger();
  const pricing = options.pricing ?? createPricing();
  const batchSize = Math.max(
    1,
    Math.min(options.batchSize ?? sink.preferredBatchSize ?? 1_000, sink.maxBatchSize ?? Infinity),
  );
  const flushIntervalMs = options.flushIntervalMs ?? 1_000;
  const maxQueue = options.maxQueue ?? 100_000;
  const retry = {
    attempts: options.retry?.attempts ?? 3,
    baseDelayMs: options.retry?.baseDelayMs ?? 100,
    maxDelayMs: options.retry?.maxDelayMs ?? 5_000,
  };
  const closeTimeoutMs = options.closeTimeoutMs ?? 10_000;
  const writeConcurrency = writeConcurrencyOf(options.writeConcurrency, sink);
  const spoolDirectory =
    options.spoolDir === false
      ? undefined
      : (options.spoolDir ?? path.join(process.cwd(), ".llm-ledger", "spool"));
  const spool: Spool | undefined =
    spoolDirectory === undefined ? undefined : createSpool(spoolDirectory, logger);

  const overflow: SpoolOverflow | undefined =
    spool &&
    createSpoolOverflow({
      directory: spool.directory,
      adopt: async (file) => {
        await spool.adopt(file);
        schedule();
      },
      onError: (error) => {
        reportError(error);
        logError(logger, { error: String(error) }, "llm-ledger: cannot write the spool's overflow file");
      },
    });

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
  // Events are numbered in the order they were queued. With several batches in flight a later batch
  // may settle before an earlier one, so flush() waits for a position, not a count: every event
  // numbered below its target must be settled.
  let enqueued = 0;
  /** Events taken from the queue so far: the number of the event at the queue's front. */
  let taken = 0;
  /** The first event number of each batch taken and not yet settled as a whole. */
  const outstanding = new Set<number>();
  /** Writes in flight (direct mode); each settles its batch before it resolves, and never rejects. */
  const inFlight = new Set<Promise<void>>();
  /** Resolves once every write started so far has finished. */
  let writesDone: Promise<void> = Promise.resolve();
  /** Wakes the pump while it waits for a write to finish (a full batch or a flush arrived). */
  let wakePump: (() => void) | undefined;
  /** Spool appends and replay progress, one at a time (see `exclusive`). */
  let spoolTail: Promise<unknown> = Promise.resolve();
  const flushWaiters: { target: number; resolve: () => void }[] = [];

  const settle = (resolve: (result: TrackResult) => void, result: TrackResult) => {
    counters.pending--;
    resolve(result);
  };
  /** Every event numbered below this is settled. */
  const settledBefore = () => {
    let lowest = taken;
    for (const first of outstanding) if (first < lowest) lowest = first;
    return lowest;
  };
  const notifyFlushWaiters = () => {
    if (flushWaiters.length === 0) return;
    const settledUpTo = settledBefore();
    for (let index = flushWaiters.length - 1; index >= 0; index--) {
      const waiter = flushWaiters[index]!;
      if (settledUpTo >= waiter.target) {
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
    const parsed = parseEventInput(value, shape, sdk);
    if (!parsed.ok) return Promise.resolve(reject(parsed.eventId, parsed.reason));
    const eventId = parsed.input.eventId ?? freshEventId();
    if (closing) return Promise.resolve(drop(eventId, "the tracker is closed"));
    if (queue.length >= maxQueue) {
      if (overflow) return overflowEvent(parsed.input, eventId);
      return Promise.resolve(drop(eventId, `the queue is full (${queue.length} events waiting)`));
    }
    counters.accepted++;
    counters.pending++;
    enqueued++;
    const input = parsed.input;
    const createdAt = input.createdAt ?? Date.now();
    return new Promise<TrackResult>((resolve) => {
      queue.push({ input, eventId, createdAt, resolve });
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

  /**
   * An event past the memory bound, with the spool on: priced now and appended to the spool's
   * overflow file on the caller's thread; `spooled` once that file is synced (see spool-overflow.ts).
   */
  function overflowEvent(input: ValidInput, eventId: string): Promise<TrackResult> {
    let record: NewLlmCostRecord;
    try {
      record = priceEvent({ input, eventId, createdAt: input.createdAt ?? Date.now() });
    } catch (error) {
      return Promise.resolve(reject(eventId, `cannot price: ${(error as Error).message}`));
    }
    counters.accepted++;
    counters.pending++;
    return new Promise<TrackResult>((resolve) => {
      const lost = "the queue is full and the spool's overflow file could not be written";
      try {
        overflow!.append(record, (synced) => {
          if (!synced) return settle(resolve, drop(eventId, lost));
          counters.spooled++;
          settle(resolve, { eventId, outcome: "spooled" });
        });
      } catch (error) {
        reportError(error);
        settle(resolve, drop(eventId, `${lost}: ${(error as Error).message}`));
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
    if (pumping) {
      wakePump?.();
      return;
    }
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

  /**
   * Prices a batch; events pricing refuses are settled as rejected, repeated ids as duplicates.
   * Priced `priceSlice` events at a time with an event-loop turn between slices, so that a batch
   * (or a spill of the whole queue) never holds the loop for long.
   */
  async function priceBatch(batch: QueuedEvent[]): Promise<PricedItem[]> {
    const items: PricedItem[] = [];
    const seen = new Set<string>();
    for (let start = 0; start < batch.length; start += priceSlice) {
      if (start > 0) await nextTurn();
      priceSliceOf(batch, start, Math.min(batch.length, start + priceSlice), items, seen);
    }
    return items;
  }

  function priceSliceOf(
    batch: QueuedEvent[],
    start: number,
    end: number,
    items: PricedItem[],
    seen: Set<string>,
  ): void {
    for (let index = start; index < end; index++) {
      const event = batch[index]!;
      if (seen.has(event.eventId)) {
        counters.duplicates++;
        settle(event.resolve, { eventId: event.eventId, outcome: "duplicate" });
        continue;
      }
      seen.add(event.eventId);
      try {
        items.push({ record: priceEvent(event), resolve: event.resolve });
      } catch (error) {
        settle(event.resolve, reject(event.eventId, `cannot price: ${(error as Error).message}`));
      }
    }
  }

  /** Takes up to `count` events from the queue as one batch, outstanding until `finishBatch`. */
  function takeBatch(count: number): { batch: QueuedEvent[]; first: number } {
    const first = taken;
    const batch = queue.take(count);
    taken += batch.length;
    outstanding.add(first);
    return { batch, first };
  }

  function finishBatch(first: number): void {
    outstanding.delete(first);
    notifyFlushWaiters();
  }

  /** Waits until one write in flight finishes, or (with `orWake`) the pump is woken. */
  async function writeFinished(orWake: boolean): Promise<void> {
    const waits: Promise<void>[] = [...inFlight];
    if (orWake) waits.push(new Promise<void>((resolve) => (wakePump = resolve)));
    await Promise.race(waits);
    wakePump = undefined;
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
        // Spill the whole queue to the spool, after the writes in flight: a batch among them that
        // fails is spooled first, so the spool keeps the order in which events were tracked.
        if (inFlight.size > 0) {
          await writesDone;
          continue;
        }
        const { batch, first } = takeBatch(queue.length);
        await spoolOrDeliver(await priceBatch(batch));
        finishBatch(first);
        continue;
      }
      const canReplay = spool?.hasPending() === true && (mode === "direct" || Date.now() >= nextProbeAt);
      if (canReplay && (replayTurn || queue.length === 0)) {
        // A replayed chunk is a write too: it takes one of the `writeConcurrency` places.
        if (inFlight.size >= writeConcurrency) {
          await writeFinished(false);
          continue;
        }
        replayTurn = false;
        await replayChunk();
        await nextTurn();
        continue;
      }
      replayTurn = true;
      if (queue.length > 0 && (queue.length >= batchSize || drainRequested || closing)) {
        if (mode === "spooling" && spool) {
          // As with a spill: the writes in flight settle (written or spooled) before this batch.
          if (inFlight.size > 0) {
            await writesDone;
            continue;
          }
          const { batch, first } = takeBatch(batchSize);
          await spoolOrDeliver(await priceBatch(batch));
          finishBatch(first);
        } else {
          // More than one write at a time only for full batches, i.e. when events back up: a
          // partial batch (the interval passed, a flush) waits for the writes in flight, so at a
          // light load batches still commit, and get their row ids, in the order events were tracked.
          const full = queue.length >= batchSize;
          if (inFlight.size >= (full ? writeConcurrency : 1)) {
            await writeFinished(!full);
            continue;
          }
          // Priced and encoded while the writes already in flight wait for the database.
          const { batch, first } = takeBatch(batchSize);
          startWrite(await priceBatch(batch), first);
        }
        // An engine whose writes never wait for I/O (PGlite runs on this thread) would otherwise
        // drain the whole queue without letting timers and I/O run: give the event loop a turn.
        await nextTurn();
        continue;
      }
      if (inFlight.size > 0) {
        // Nothing to take yet: wait for a write to finish or for more events (or a flush).
        await writeFinished(true);
        continue;
      }
      if (queue.length === 0) drainRequested = false;
      if (spool?.hasPending() && mode === "spooling" && !closing) armProbe();
      return;
    }
  }

  /**
   * Starts writing a batch without waiting for it (up to `writeConcurrency` at once). Batches in
   * flight together may commit in either order: that is safe because every write is idempotent by
   * `eventId` (ON CONFLICT DO NOTHING; the service does the same), the rollups are sums, and each
   * batch settles its own promises; a later batch may get lower row ids (`id`), so rows are in
   * tracking order by `created_at`, not by `id`. The spool keeps the queue's order (see `deliver`).
   */
  function startWrite(items: PricedItem[], first: number): void {
    if (items.length === 0) {
      finishBatch(first);
      return;
    }
    const earlier = writesDone;
    const write: Promise<void> = deliver(items, earlier)
      .catch((error: unknown) => {
        // Unreachable by design (deliver settles every item); never leave a promise unsettled.
        logError(logger, { error: String(error) }, "llm-ledger: tracker write failed unexpectedly");
        for (const { record, resolve } of items) settle(resolve, drop(record.eventId, "tracker error"));
      })
      .finally(() => {
        inFlight.delete(write);
        finishBatch(first);
      });
    inFlight.add(write);
    writesDone = Promise.all([earlier, write]).then(() => {});
  }

  /**
   * Writes a batch, retrying with backoff; spools it when the store stays unreachable, once the
   * writes started before it (`earlier`) have finished, so that the spool — replayed in file order —
   * holds batches in the order they were taken from the queue.
   */
  async function deliver(items: PricedItem[], earlier: Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        const outcome = await writeBatch(
          sink,
          items.map((item) => item.record),
        );
        for (const { record, resolve } of items) {
          const refused = outcome.refused.get(record.eventId);
          if (refused !== undefined) settle(resolve, reject(record.eventId, refused));
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
          await earlier;
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

  /** Spools a batch; when the disk fails too, writes it to the store instead (retrying, then spooling). */
  async function spoolOrDeliver(items: PricedItem[]): Promise<void> {
    if (!(await spoolItems(items))) await deliver(items, Promise.resolve());
  }

  /**
   * Runs spool file operations one at a time: an append must not interleave with a replay finishing
   * (and truncating) the file, and two appends must not write at the same offset.
   */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = spoolTail.then(work);
    spoolTail = run.catch(() => {});
    return run;
  }

  /** Appends a batch to the spool and settles it as spooled; false when the disk failed too. */
  async function spoolItems(items: PricedItem[]): Promise<boolean> {
    if (items.length === 0) return true;
    try {
      await exclusive(() => spool!.append(items.map((item) => item.record)));
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
      await exclusive(() => chunk.done());
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

  /** Resolves when every event tracked so far is settled: the queue's, and the overflow's. */
  function flush(): Promise<void> {
    const queued = flushQueue();
    return overflow ? Promise.all([queued, overflow.settled()]).then(() => {}) : queued;
  }

  function flushQueue(): Promise<void> {
    const target = enqueued;
    if (settledBefore() >= target) return Promise.resolve();
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
    // The pump returns only when no write is in flight; `writesDone` covers a pump that failed.
    while (pumping) await pumping;
    await writesDone;
    if (spool) {
      // Replay the spool before closing, retrying with backoff until the close deadline: the store is
      // often back moments after an outage, and a pooled connection the outage broke fails once more
      // first. What is left then waits in the spool for the next tracker.
      for (let attempt = 0; spool.hasPending();) {
        mode = "direct";
        await replayChunk();
        if (mode === "direct") {
          attempt = 0;
          continue;
        }
        const delay = backoffDelay(attempt++, retry);
        if (Date.now() + delay >= closeDeadline) break;
        await sleep(delay, true);
      }
      await spool.close();
    }
    if (counters.pending > 0) {
      logError(logger, { pending: counters.pending }, "llm-ledger: tracker closed with events unsettled");
    }
    if (options.closeSink === true) await sink.close();
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
