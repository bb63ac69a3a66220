// The batch writer, shaped like OpenTelemetry's BatchSpanProcessorBase: events wait in a bounded
// queue and are handed on in batches, when a batch is full, when the oldest has waited
// `flushIntervalMs`, or when a flush asks; up to `concurrency` writes are in flight at once;
// `forceFlush()` and `shutdown()` wait for what was queued before them. Delivering a batch — retrying
// it, spooling it — is the job of the hooks it is given (see spooling-sink.ts and retrying-sink.ts).
import { createEventQueue } from "./event-queue.js";
import { createFlushBarrier } from "./flush-barrier.js";
import { nextTurn } from "./next-turn.js";

/**
 * Work the writer interleaves with its batches and serves from the same places in flight: a spool
 * to replay. Implemented by the spooling sink.
 */
export interface WriterBacklog {
  /** Runs once, before the first batch (claims what earlier trackers left behind). */
  open(): Promise<void>;
  /** Whether a backlog step may run now. */
  ready(): boolean;
  /** One step of the backlog (a replayed chunk); never rejects. */
  step(): Promise<void>;
  /** Whether batches go straight to `divert` (the sink is down and batches go to disk, in order). */
  diverting(): boolean;
  /** Called when the writer goes idle with the backlog left (arms a probe that calls `wake`). */
  idle(closing: boolean): void;
}

/** Settings and hooks of a batch writer. */
export interface BatchWriterOptions<Event, Batch> {
  /** Events per batch: a full batch is taken at once. */
  batchSize: number;
  /** Longest time an event waits before its (partial) batch is taken. */
  flushIntervalMs: number;
  /**
   * Events the queue holds. The caller checks `full` before `add`; with a `divert` hook, a full
   * queue is diverted as a whole, at once.
   */
  maxQueue: number;
  /** Full batches written at once (partial batches wait until none is in flight). */
  concurrency: number;
  /** Turns taken events into a batch to write (pricing); events it settles itself are left out. */
  prepare(events: Event[]): Promise<Batch>;
  /** Whether a prepared batch has nothing left to write. */
  isEmpty(batch: Batch): boolean;
  /** Writes a batch and settles its events; never rejects. Several may run at once. */
  write(batch: Batch): Promise<void>;
  /** Writes a batch past the sink, to disk (the spool), one at a time; never rejects. */
  divert?: ((batch: Batch) => Promise<void>) | undefined;
  /** Work served between batches (the spool's replay); with it, `divert` is used while it says so. */
  backlog?: WriterBacklog | undefined;
  /** Hears an unexpected failure of the writer itself (the hooks are meant never to reject). */
  onFailure(error: unknown): void;
}

/** A running batch writer. */
export interface BatchWriter<Event> {
  /** Events waiting in the queue. */
  readonly length: number;
  /** Whether `maxQueue` events wait (the caller diverts or drops new ones rather than `add` them). */
  readonly full: boolean;
  /** Whether a flush or the shutdown waits for writes (waits then keep the process alive). */
  readonly urgent: boolean;
  /** Whether `stop()` (or `shutdown()`) was called. */
  readonly closing: boolean;
  /** Queues an event; the caller checked `full` first. */
  add(event: Event): void;
  /** Wakes the writer (new work for the backlog, a probe). */
  wake(): void;
  /** Resolves once every event added before the call is settled. */
  forceFlush(): Promise<void>;
  /** Marks the writer closing (its timer stops; whatever is queued is written without waiting). */
  stop(): void;
  /** Resolves once the writer is idle: no pump running, no write in flight. */
  idle(): Promise<void>;
  /** `stop()`, then writes what is queued and waits for every write (OpenTelemetry's shutdown). */
  shutdown(): Promise<void>;
  /** Whether events wait with no writer running (the process is about to exit without them). */
  stalled(): boolean;
}

/** Creates a batch writer; it runs in the background from the first event (or `wake`). */
export function createBatchWriter<Event, Batch>(
  options: BatchWriterOptions<Event, Batch>,
): BatchWriter<Event> {
  const { batchSize, maxQueue, backlog, divert } = options;
  const queue = createEventQueue<Event>();
  const barrier = createFlushBarrier();
  let closing = false;
  let drainRequested = false;
  let opened = backlog === undefined;
  let replayTurn = true;
  let pumping: Promise<void> | undefined;
  let flushTimer: NodeJS.Timeout | undefined;
  /** Writes in flight; each settles its batch before it resolves, and never rejects. */
  const inFlight = new Set<Promise<void>>();
  /** Resolves once every write started so far has finished. */
  let writesDone: Promise<void> = Promise.resolve();
  /** Wakes the pump while it waits for a write to finish (a full batch or a flush arrived). */
  let wakePump: (() => void) | undefined;

  function schedule(): void {
    if (pumping) {
      wakePump?.();
      return;
    }
    pumping = nextTurn()
      .then(pump)
      .catch((error: unknown) => options.onFailure(error))
      .finally(() => {
        pumping = undefined;
        if (queue.length >= batchSize || (drainRequested && queue.length > 0)) schedule();
      });
  }

  /** Takes up to `count` events as one batch and prepares it; outstanding until `barrier.finish`. */
  async function takeBatch(count: number): Promise<{ batch: Batch; first: number }> {
    const events = queue.take(count);
    const first = barrier.take(events.length);
    return { batch: await options.prepare(events), first };
  }

  /** Waits until one write in flight finishes, or (with `orWake`) the pump is woken. */
  async function writeFinished(orWake: boolean): Promise<void> {
    const waits: Promise<void>[] = [...inFlight];
    if (orWake) waits.push(new Promise<void>((resolve) => (wakePump = resolve)));
    await Promise.race(waits);
    wakePump = undefined;
  }

  async function pump(): Promise<void> {
    if (!opened && backlog) {
      opened = true;
      await backlog.open();
    }
    for (;;) {
      if (divert && queue.length >= maxQueue) {
        // Divert the whole queue, after the writes in flight: a batch among them that fails is
        // spooled first, so the spool keeps the order in which events were tracked.
        if (inFlight.size > 0) {
          await writesDone;
          continue;
        }
        const { batch, first } = await takeBatch(queue.length);
        await divert(batch);
        barrier.finish(first);
        continue;
      }
      if (backlog?.ready() === true && (replayTurn || queue.length === 0)) {
        // A backlog step is a write too: it takes one of the `concurrency` places.
        if (inFlight.size >= options.concurrency) {
          await writeFinished(false);
          continue;
        }
        replayTurn = false;
        await backlog.step();
        await nextTurn();
        continue;
      }
      replayTurn = true;
      if (queue.length > 0 && (queue.length >= batchSize || drainRequested || closing)) {
        if (divert && backlog?.diverting() === true) {
          // As when the queue is diverted: the writes in flight settle before this batch.
          if (inFlight.size > 0) {
            await writesDone;
            continue;
          }
          const { batch, first } = await takeBatch(batchSize);
          await divert(batch);
          barrier.finish(first);
        } else {
          // More than one write at a time only for full batches, i.e. when events back up: a
          // partial batch (the interval passed, a flush) waits for the writes in flight, so at a
          // light load batches still commit, and get their row ids, in the order events were tracked.
          const full = queue.length >= batchSize;
          if (inFlight.size >= (full ? options.concurrency : 1)) {
            await writeFinished(!full);
            continue;
          }
          // Prepared while the writes already in flight wait for the sink.
          const { batch, first } = await takeBatch(batchSize);
          startWrite(batch, first);
        }
        // A sink whose writes never wait for I/O (PGlite on this thread) would otherwise drain the
        // whole queue without letting timers and I/O run: give the event loop a turn.
        await nextTurn();
        continue;
      }
      if (inFlight.size > 0) {
        // Nothing to take yet: wait for a write to finish or for more events (or a flush).
        await writeFinished(true);
        continue;
      }
      if (queue.length === 0) drainRequested = false;
      backlog?.idle(closing);
      return;
    }
  }

  /**
   * Starts writing a batch without waiting for it (up to `concurrency` at once). Batches in flight
   * together may commit in either order: every write is idempotent by `eventId` and settles its own
   * events, so only the spool needs their order (the spooling sink keeps it).
   */
  function startWrite(batch: Batch, first: number): void {
    if (options.isEmpty(batch)) {
      barrier.finish(first);
      return;
    }
    const earlier = writesDone;
    const write: Promise<void> = options
      .write(batch)
      .catch((error: unknown) => options.onFailure(error))
      .finally(() => {
        inFlight.delete(write);
        barrier.finish(first);
      });
    inFlight.add(write);
    writesDone = Promise.all([earlier, write]).then(() => {});
  }

  function forceFlush(): Promise<void> {
    const settled = barrier.wait();
    if (settled === undefined) return Promise.resolve();
    drainRequested = true;
    schedule();
    return settled;
  }

  function stop(): void {
    closing = true;
    if (flushTimer) clearTimeout(flushTimer);
  }

  async function idle(): Promise<void> {
    // The pump returns only when no write is in flight; `writesDone` covers a pump that failed.
    while (pumping) await pumping;
    await writesDone;
  }

  return {
    get length() {
      return queue.length;
    },
    get full() {
      return queue.length >= maxQueue;
    },
    get urgent() {
      return closing || barrier.waiting > 0;
    },
    get closing() {
      return closing;
    },
    add(event) {
      barrier.accept();
      queue.push(event);
      if (queue.length >= batchSize || (divert && queue.length >= maxQueue)) schedule();
      else if (!flushTimer) {
        flushTimer = setTimeout(() => {
          flushTimer = undefined;
          drainRequested = true;
          schedule();
        }, options.flushIntervalMs);
        flushTimer.unref();
      }
    },
    wake: schedule,
    forceFlush,
    stop,
    idle,
    async shutdown() {
      stop();
      await forceFlush();
      await idle();
    },
    stalled: () => queue.length > 0 && !pumping,
  };
}
