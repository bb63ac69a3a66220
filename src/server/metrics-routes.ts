import { Hono } from "hono";
import type { Pricing } from "../pricing/index.js";
import { queryCosts, type QueryStore } from "../query/index.js";
import type { Guards, LedgerApp } from "./app.js";
import { readFiltersOf } from "./project-scope.js";
import type { ServerMetrics } from "./server-metrics.js";

/** What `/metrics` reports from: the ledger, the service's counters and the pricing in force. */
export interface MetricsDependencies {
  store: QueryStore;
  metrics: ServerMetrics;
  pricing?: Pricing | undefined;
}

/**
 * `GET /metrics` (scope read): Prometheus text — ingest counters, pending events, the pricing catalog
 * in force and its refreshes, spend and events by provider. A key bound to a project gets that
 * project's spend and events only, without the service's counters.
 */
export function createMetricsRoutes(dependencies: MetricsDependencies, guards: Guards): LedgerApp {
  const routes: LedgerApp = new Hono();
  routes.on("GET", "/", guards.read);
  routes.get("/", async (context) => {
    const principal = context.get("principal");
    const counters = dependencies.metrics.snapshot();
    const byProvider = await queryCosts(dependencies.store, {
      groupBy: ["provider"],
      filters: readFiltersOf(principal, undefined),
    });
    const lines: string[] = [];
    const metric = (
      name: string,
      type: "counter" | "gauge",
      help: string,
      samples: Array<[string, string | number]>,
    ) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    };
    // The service's own counters count every project's requests: a key of one project sees only its
    // project's ledger series (and the catalog in force, which is no project's).
    if (principal.project === null) serviceCounters(metric, counters);
    if (dependencies.pricing) {
      const { catalogDate, version } = dependencies.pricing;
      metric(
        "llm_ledger_pricing_catalog_date_seconds",
        "gauge",
        "Date of the pricing catalog in force (00:00 UTC), in seconds since the Unix epoch.",
        [[`{version="${escapeLabelValue(version)}"}`, Date.parse(`${catalogDate}T00:00:00Z`) / 1000]],
      );
    }
    const label = (provider: unknown) => `{provider="${escapeLabelValue(String(provider))}"}`;
    metric(
      "llm_ledger_spend_usd",
      "gauge",
      "Estimated spend in US dollars recorded in the ledger, by provider (all time).",
      byProvider.rows.map((row) => [label(row.provider), row.costUsd]),
    );
    metric(
      "llm_ledger_events",
      "gauge",
      "Events recorded in the ledger, by provider (all time).",
      byProvider.rows.map((row) => [label(row.provider), row.events]),
    );
    return context.body(lines.join("\n") + "\n", 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    });
  });
  return routes;
}

type MetricWriter = (
  name: string,
  type: "counter" | "gauge",
  help: string,
  samples: Array<[string, string | number]>,
) => void;

/** The service's counters since start: ingest and pricing refreshes, across every project. */
function serviceCounters(metric: MetricWriter, counters: ReturnType<ServerMetrics["snapshot"]>): void {
  metric(
    "llm_ledger_ingest_events_accepted_total",
    "counter",
    "Events accepted by POST /v1/events since start (new and duplicate).",
    [["", counters.eventsAccepted]],
  );
  metric(
    "llm_ledger_ingest_events_written_total",
    "counter",
    "Events newly written by POST /v1/events since start.",
    [["", counters.eventsWritten]],
  );
  metric(
    "llm_ledger_ingest_events_duplicate_total",
    "counter",
    "Events POSTed again (same eventId) since start.",
    [["", counters.eventsDuplicate]],
  );
  metric("llm_ledger_ingest_events_rejected_total", "counter", "Events rejected by validation since start.", [
    ["", counters.eventsRejected],
  ]);
  metric("llm_ledger_ingest_pending_events", "gauge", "Validated events whose write has not committed yet.", [
    ["", counters.pendingEvents],
  ]);
  metric(
    "llm_ledger_pricing_refreshes_total",
    "counter",
    "Scheduled pricing catalog refreshes that fetched and validated a catalog since start.",
    [["", counters.pricingRefreshes]],
  );
  metric(
    "llm_ledger_pricing_refresh_failures_total",
    "counter",
    "Scheduled pricing catalog refreshes that failed since start (the catalog in force was kept).",
    [["", counters.pricingRefreshFailures]],
  );
}

/** The metrics group for `AppDependencies.routes`, mounted at `/metrics`. */
export function mountMetricsRoutes(dependencies: MetricsDependencies) {
  return (app: LedgerApp, guards: Guards): void => {
    app.route("/metrics", createMetricsRoutes(dependencies, guards));
  };
}

/**
 * A label value in the Prometheus text exposition format: backslash, double quote and line feed
 * escaped (`\\`, `\"`, `\n`), so a value an ingest key chose cannot end the line and add samples.
 */
export function escapeLabelValue(value: string): string {
  return value.replaceAll("\\", "\\\\").replaceAll('"', '\\"').replaceAll("\n", "\\n");
}
