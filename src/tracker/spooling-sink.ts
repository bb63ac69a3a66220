// The spool as a sink decorator: writes go to the sink it wraps; when a write fails for good (the
// sink, normally a retrying one, gave up on a transient failure), the batch is appended to the
// synced spool file and answered `spooled`. While the sink is down, batches go straight to disk
// (`divert`); a probe replays the spool, oldest file first, and once a replayed chunk is written
// batches go to the sink again. The spool files and their locks are in spool.ts and spool-files.ts.
import { LedgerError } from "../errors.js";
import type { NewLlmCostRecord } from "../store/cost-record.js";
import type { LedgerLogger } from "../logger.js";
import type { WriterBacklog } from "./batch-writer.js";
import { logError } from "./default-logger.js";
import type { EventSink, SinkWriteResult } from "./event-sink.js";
import { backoffDelay, isTransient, sleep, type RetryOptions } from "./retry-policy.js";
import { createSpool } from "./spool.js";

/** Settings and hooks of a spooling sink. */
export interface SpoolingSinkOptions {
  /** Where batches are written first (a retrying sink, which throws once it gives up). */
  sink: EventSink;
  /** Where spooled chunks are replayed, once per probe; default `sink`. */
  replayTo?: EventSink | undefined;
  /** The spool's directory. */
  directory: string;
  logger: LedgerLogger;
  /** Backoff between probes of a sink that is down (and between spool attempts when the disk fails). */
  retry: Required<RetryOptions>;
  /** Records per replayed chunk. */
  replayBatchSize: number;
  /** Whether events the disk refused must be dropped rather than kept in memory (queue full, closing). */
  mustDrop(): boolean;
  /** Whether a wait keeps the process alive (someone waits for the write). */
  keepAlive(): boolean;
  /** Asks the writer to run: a probe is due, or an overflow file was adopted. */
  wake(): void;
  /** Hears every write error (the sink's during replay, the disk's). */
  onError(error: unknown): void;
  /** Hears each failed spool append that will be tried again (counted as a retry). */
  onRetry(): void;
  /** Hears what a replayed chunk did. */
  onReplayed(result: SinkWriteResult): void;
}

/** A sink that spools what its sink cannot take, and the backlog of replays the writer runs. */
export interface SpoolingSink extends EventSink, WriterBacklog {
  readonly directory: string;
  /** Appends a batch to the spool at once (a queue past its bound, or a sink known to be down). */
  divert(records: readonly NewLlmCostRecord[]): Promise<SinkWriteResult>;
  /** Takes a synced overflow file for replay after the files claimed before it. */
  adopt(file: string): Promise<void>;
  /** Cancels a probe that is armed (the tracker is closing). */
  stopProbing(): void;
  /**
   * Replays the spool, retrying with backoff until `deadline`, then releases its files: what is
   * left waits for the next tracker.
   */
  release(deadline: number): Promise<void>;
}

const spooledResult = (): SinkWriteResult => ({ inserted: 0, duplicates: 0, spooled: true });

/** The error a spooling sink throws when the disk refused a batch that could not stay in memory. */
export const spoolWriteFailed = "E_SPOOL_WRITE";

/** Wraps `options.sink` with the spool in `options.directory`. */
export function createSpoolingSink(options: SpoolingSinkOptions): SpoolingSink {
  const { sink, logger, retry } = options;
  const replayTo = options.replayTo ?? sink;
  const spool = createSpool(options.directory, logger);
  let mode: "direct" | "spooling" = "direct";
  let nextProbeAt = 0;
  let probeAttempt = 0;
  let probeTimer: NodeJS.Timeout | undefined;
  /** Spool appends and replay progress, one at a time (see `exclusive`). */
  let spoolTail: Promise<unknown> = Promise.resolve();
  /** Resolves once every write handed to this sink so far has finished: spooling keeps their order. */
  let writesDone: Promise<unknown> = Promise.resolve();

  /**
   * Runs spool file operations one at a time: an append must not interleave with a replay finishing
   * (and truncating) the file, and two appends must not write at the same offset.
   */
  function exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = spoolTail.then(work);
    spoolTail = run.catch(() => {});
    return run;
  }

  /** Appends and syncs a batch; false when the disk failed and the events may stay in memory. */
  async function keep(records: readonly NewLlmCostRecord[]): Promise<boolean> {
    if (records.length === 0) return true;
    try {
      await exclusive(() => spool.append(records));
      return true;
    } catch (error) {
      options.onError(error);
      logError(
        logger,
        { error: String(error) },
        "llm-ledger: cannot write the spool; keeping events in memory",
      );
      if (options.mustDrop()) throw new LedgerError(spoolWriteFailed, "spool write failed", { cause: error });
      return false;
    }
  }

  const probeLater = () => {
    mode = "spooling";
    nextProbeAt = Date.now() + backoffDelay(probeAttempt++, retry);
  };

  /**
   * Writes through the sink; when it gives up, spools the batch once the writes handed over before
   * it have finished, so that the spool — replayed in file order — holds batches in the order
   * they were written. When the disk fails too, the batch goes back to the sink after a backoff.
   */
  async function write(
    records: readonly NewLlmCostRecord[],
    earlier: Promise<unknown>,
  ): Promise<SinkWriteResult> {
    for (let diskFailures = 0; ; diskFailures++) {
      try {
        return await sink.recordLlmCosts(records);
      } catch (error) {
        if (!isTransient(error)) throw error;
        await earlier;
        if (await keep(records)) {
          probeLater();
          return spooledResult();
        }
        options.onRetry();
        await sleep(backoffDelay(diskFailures, retry), options.keepAlive());
      }
    }
  }

  async function replayChunk(): Promise<void> {
    const chunk = await spool.next(options.replayBatchSize);
    if (!chunk) return;
    try {
      const result = await replayTo.recordLlmCosts(chunk.records);
      options.onReplayed(result);
      for (const { eventId, reason } of result.rejected ?? []) {
        logError(logger, { eventId, reason }, "llm-ledger: a spooled event was refused by the store");
      }
      await exclusive(() => chunk.done());
      if (mode === "spooling")
        logger.warn({}, "llm-ledger: the store is reachable again; replaying the spool");
      mode = "direct";
      probeAttempt = 0;
    } catch (error) {
      options.onError(error);
      probeLater();
    }
  }

  function recordLlmCosts(records: readonly NewLlmCostRecord[]): Promise<SinkWriteResult> {
    const written = write(records, writesDone);
    writesDone = Promise.all([writesDone, written.catch(() => {})]);
    return written;
  }

  function stopProbing(): void {
    if (probeTimer) clearTimeout(probeTimer);
    probeTimer = undefined;
  }

  return {
    directory: options.directory,
    maxBatchSize: sink.maxBatchSize,
    preferredBatchSize: sink.preferredBatchSize,
    maxConcurrentWrites: sink.maxConcurrentWrites,
    recordLlmCosts,
    async divert(records) {
      return (await keep(records)) ? spooledResult() : recordLlmCosts(records);
    },
    adopt: async (file) => {
      await spool.adopt(file);
      options.wake();
    },
    async open() {
      const count = await spool.claimOrphans().catch(() => 0);
      if (count > 0)
        logger.warn({ files: count }, "llm-ledger: replaying events spooled by an earlier tracker");
    },
    ready: () => spool.hasPending() && (mode === "direct" || Date.now() >= nextProbeAt),
    step: replayChunk,
    diverting: () => mode === "spooling",
    idle(closing) {
      if (probeTimer || closing || mode !== "spooling" || !spool.hasPending()) return;
      probeTimer = setTimeout(
        () => {
          probeTimer = undefined;
          options.wake();
        },
        Math.max(0, nextProbeAt - Date.now()),
      );
      probeTimer.unref();
    },
    stopProbing,
    async release(deadline) {
      // The store is often back moments after an outage, and a pooled connection the outage broke
      // fails once more first: keep replaying, with backoff, until the deadline.
      for (let attempt = 0; spool.hasPending();) {
        mode = "direct";
        await replayChunk();
        if (mode === "direct") {
          attempt = 0;
          continue;
        }
        const delay = backoffDelay(attempt++, retry);
        if (Date.now() + delay >= deadline) break;
        await sleep(delay, true);
      }
      await spool.close();
    },
    async close() {
      stopProbing();
      await spool.close();
      await sink.close();
    },
  };
}
