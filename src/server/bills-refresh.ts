import type { ImportBillResult } from "../bills/index.js";
import type { QueryStore } from "../query/index.js";
import type { ServerLogger } from "./server-logger.js";
import type { ServerMetrics } from "./server-metrics.js";
import { startPeriodicTask, type PeriodicTask } from "./periodic-task.js";

/** One provider whose bill the service imports on a schedule. */
export interface BillImporter {
  provider: string;
  /** Imports the provider's recent bill into the store (idempotent); the signal aborts when the service stops. */
  run(store: QueryStore, signal: AbortSignal): Promise<ImportBillResult>;
}

/** `serve --bills-refresh`: how often, and which providers (those whose admin key is set). */
export interface BillsRefreshOptions {
  /** Time between imports; the first runs as the service starts. */
  everyMs: number;
  importers: readonly BillImporter[];
}

/**
 * `runNow` imports every provider now, one after another (never two rounds at once); `stop` stops the
 * schedule and abandons an import under way (which then writes nothing).
 */
export type BillsRefresher = PeriodicTask;

/**
 * Imports the providers' bills on a schedule (an unref'd timer). Each import is logged; a failed one
 * is counted and leaves the stored bill as it was (the import is one transaction); the time of the
 * last successful one per provider is the `/metrics` gauge.
 */
export function startBillsRefresh(
  options: BillsRefreshOptions & { store: QueryStore; metrics: ServerMetrics; logger: ServerLogger },
): BillsRefresher {
  // The abort ends the request under way; a transaction that was committing finishes first.
  return startPeriodicTask({
    everyMs: options.everyMs,
    async run(signal, stopped) {
      for (const importer of options.importers) {
        if (stopped()) return;
        try {
          const result = await importer.run(options.store, signal);
          if (stopped()) return;
          options.metrics.billsImported(importer.provider, true);
          options.logger.info({ ...result }, "imported the provider's bill");
        } catch (error) {
          if (stopped()) return;
          options.metrics.billsImported(importer.provider, false);
          options.logger.warn(
            { err: error, provider: importer.provider },
            "bill import failed; the stored bill is kept",
          );
        }
      }
    },
  });
}
