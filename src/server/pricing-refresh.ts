import type { Pricing } from "../pricing/index.js";
import type { LivePricing } from "./live-pricing.js";
import type { ServerLogger } from "./server-logger.js";
import type { ServerMetrics } from "./server-metrics.js";
import { startPeriodicTask, type PeriodicTask } from "./periodic-task.js";

// How long stopping waits for a refresh under way after aborting it.
const stopWaitMs = 2_000;

/** A scheduled catalog refresh: how often, and how to obtain the pricing in force after one. */
export interface PricingRefreshOptions {
  /** Time between refreshes; the first runs as the service starts. */
  everyMs: number;
  /**
   * Fetches and caches a newer catalog when there is one, and returns the pricing in force
   * afterwards; throws when the fetch or the file fails (the catalog in force is then kept). The
   * signal aborts when the service stops.
   */
  refresh(signal: AbortSignal): Promise<Pricing>;
}

/**
 * `runNow` runs one refresh now (never two at once); `stop` stops the schedule, abandons a refresh
 * under way and waits for it to end (at most two seconds).
 */
export type PricingRefresher = PeriodicTask;

/**
 * Refreshes the catalog on a schedule (an unref'd timer: it never keeps the process alive). A failed
 * refresh is logged and counted, and the last good catalog stays in force; a refresh that brings a
 * different catalog version puts it in force for the next estimate.
 */
export function startPricingRefresh(
  options: PricingRefreshOptions & { live: LivePricing; metrics: ServerMetrics; logger: ServerLogger },
): PricingRefresher {
  // The abort ends a fetch under way; should anything else of the refresh not heed it, the service
  // still stops: a refresh that finishes later changes nothing (`stopped`).
  return startPeriodicTask({
    everyMs: options.everyMs,
    stopWaitMs,
    async run(signal, stopped) {
      const before = options.live.pricing.version;
      try {
        const next = await options.refresh(signal);
        if (stopped()) return;
        options.metrics.pricingRefreshed(true);
        if (next.version !== before) {
          options.live.replace(next);
          options.logger.info({ previous: before, version: next.version }, "pricing catalog updated");
        }
      } catch (error) {
        if (stopped()) return;
        options.metrics.pricingRefreshed(false);
        options.logger.warn(
          { err: error, version: before },
          "pricing catalog refresh failed; the catalog in force is kept",
        );
      }
    },
  });
}
