import { LedgerError } from "../errors.js";
// The slug rule alone: projects/index.ts also re-exports the store (an HTTP-sink tracker needs none).
import { isProjectSlug } from "../projects/project-names.js";
import type { LedgerLogger } from "../logger.js";
import type { EventSink } from "./event-sink.js";
import type { AgentCostPolicy, TrackerPricing } from "../events/index.js";
import type { RetryOptions } from "./retry-policy.js";

/** Where the tracker writes: `sink`, or `telemetryStore`, the original design's name for it. */
export type CostTrackerSinkOption =
  | {
      /** Where events are written: the TelemetryStore, or any EventSink (e.g. the HTTP sink). */
      sink: EventSink;
      /** The original name of `sink`; when both are given they must be the same object. */
      telemetryStore?: EventSink | undefined;
    }
  | {
      /** The original name of `sink`, still accepted: the TelemetryStore, or any EventSink. */
      telemetryStore: EventSink;
      sink?: EventSink | undefined;
    };

/** Settings of `createCostTracker` besides its sink. */
export interface CostTrackerSettings {
  /**
   * The project (a slug) of events that name none. Default none: a database sink stores them in
   * `default`, and the HTTP sink leaves them to the service, which writes them to its key's project.
   * An event's own `project` wins; through the HTTP sink a project-bound key refuses any other.
   */
  project?: string | undefined;
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
  /** How failed writes are retried before the spool takes them. */
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

/**
 * Options of `createCostTracker`: the sink — as `sink`, or `telemetryStore`, its original name,
 * still accepted — and the settings. Giving both names for different objects is refused.
 */
export type CostTrackerOptions = CostTrackerSinkOption & CostTrackerSettings;

const maxWriteConcurrency = 64;

/** The sink the options name, refusing two different ones or none (a JavaScript caller's mistake). */
export function sinkOf(options: CostTrackerOptions): EventSink {
  const { sink, telemetryStore } = options;
  if (sink !== undefined && telemetryStore !== undefined && sink !== telemetryStore) {
    throw new LedgerError(
      "E_OPTIONS",
      "createCostTracker: `sink` and `telemetryStore` name two different sinks; give one (`telemetryStore` is the original name of `sink`)",
    );
  }
  const chosen = sink ?? telemetryStore;
  if (chosen === undefined || typeof chosen.recordLlmCosts !== "function") {
    throw new LedgerError(
      "E_OPTIONS",
      "createCostTracker: `sink` (or its original name `telemetryStore`) must be an EventSink, e.g. the TelemetryStore",
    );
  }
  return chosen;
}

/** The tracker's default project, checked like every slug (a JavaScript caller may pass anything). */
export function defaultProjectOf(option: unknown): string | undefined {
  if (option === undefined || (typeof option === "string" && isProjectSlug(option))) return option;
  const shown = typeof option === "string" ? JSON.stringify(option.slice(0, 80)) : typeof option;
  throw new LedgerError(
    "E_OPTIONS",
    `createCostTracker: project must be a project slug (1 to 63 lower-case letters, digits, '-' or '_'), got ${shown}`,
  );
}

/** Events per write: the option, else the sink's preference, else 1,000; within the sink's maximum. */
export function batchSizeOf(option: number | undefined, sink: EventSink): number {
  return Math.max(1, Math.min(option ?? sink.preferredBatchSize ?? 1_000, sink.maxBatchSize ?? Infinity));
}

/** The option when given (validated), else the sink's wish, else 1. */
export function writeConcurrencyOf(option: number | undefined, sink: EventSink): number {
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
