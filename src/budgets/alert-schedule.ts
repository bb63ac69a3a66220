import type { LedgerLogger } from "../logger.js";
import type { QueryStore } from "../query/index.js";
import { deliverAlerts, type DeliveryOptions } from "./alert-delivery.js";
import { evaluateBillDrift, type BillDriftOptions } from "./bill-drift-alerts.js";
import { evaluateBudgetAlerts } from "./evaluate-alerts.js";
import { evaluateSpikes } from "./spike-alerts.js";

/** Options of `startAlertSchedule`. */
export interface AlertScheduleOptions extends DeliveryOptions {
  store: QueryStore;
  /** Evaluate budgets and deliver due alerts this often (default 60 s). */
  intervalMs?: number | undefined;
  /** After `nudge()` (an ingest that may cross a threshold), run within this long (default 2 s). */
  nudgeDelayMs?: number | undefined;
  /** The dashboard's address, linked from alert bodies. */
  dashboardUrl?: string | undefined;
  /** The bill drift rule (`serve --bill-drift-percent`), evaluated at most every `everyMs` (default an hour); off without it. */
  billDrift?: (Omit<BillDriftOptions, "at" | "dashboardUrl"> & { everyMs?: number | undefined }) | undefined;
  logger: LedgerLogger;
}

/** A running schedule. */
export interface AlertSchedule {
  /** Runs a cycle soon (debounced): events were ingested. */
  nudge(): void;
  /** Runs one cycle now (or waits for the one under way) — evaluation, then delivery. */
  runNow(): Promise<void>;
  /** Stops the timers and waits for the cycle under way. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Evaluates every budget, the spike rule and (when configured) the bill drift rule, and delivers due alerts, on a schedule, one cycle at a time. Evaluation
 * never waits for a receiver (delivery comes after it, each POST with its own deadline); a failed
 * cycle is logged and the next one runs as planned.
 */
export function startAlertSchedule(options: AlertScheduleOptions): AlertSchedule {
  const intervalMs = options.intervalMs ?? 60_000;
  let running: Promise<void> | undefined;
  let stopped = false;
  let nudgeTimer: NodeJS.Timeout | undefined;
  // Bills change only when imported: the drift rule need not run every cycle.
  let driftDueAt = 0;

  const cycle = async () => {
    try {
      const evaluation = await evaluateBudgetAlerts(options.store, { dashboardUrl: options.dashboardUrl });
      const spikes = await evaluateSpikes(options.store, { dashboardUrl: options.dashboardUrl });
      let drift = { drifts: 0 };
      if (options.billDrift && Date.now() >= driftDueAt) {
        driftDueAt = Date.now() + (options.billDrift.everyMs ?? 3_600_000);
        drift = await evaluateBillDrift(options.store, {
          ...options.billDrift,
          dashboardUrl: options.dashboardUrl,
        });
      }
      const round = await deliverAlerts(options.store, options);
      if (
        evaluation.fired + spikes.spikes + spikes.unpricedModels + drift.drifts > 0 ||
        round.delivered + round.failed + round.retrying > 0
      ) {
        options.logger.info?.({ ...evaluation, ...spikes, ...drift, ...round }, "budget alerts");
      }
    } catch (error) {
      options.logger.warn({ err: error }, "budget alert cycle failed; the next one runs as planned");
    }
  };
  const runNow = () => {
    running ??= cycle().finally(() => {
      running = undefined;
    });
    return running;
  };
  const timer = setInterval(() => void runNow(), intervalMs);
  timer.unref();

  return {
    nudge() {
      if (stopped || nudgeTimer) return;
      nudgeTimer = setTimeout(() => {
        nudgeTimer = undefined;
        void runNow();
      }, options.nudgeDelayMs ?? 2_000);
      nudgeTimer.unref();
    },
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      if (nudgeTimer) clearTimeout(nudgeTimer);
      await running;
    },
  };
}
