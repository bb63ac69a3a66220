import { Hono } from "hono";
import { Counter, Gauge, Registry } from "prom-client";
import type { Pricing } from "../pricing/index.js";
import { queryCosts, type QueryStore } from "../query/index.js";
import type { Guards, LedgerApp } from "./app.js";
import { readFiltersOf } from "./project-scope.js";
import type { MetricsSnapshot, ServerMetrics } from "./server-metrics.js";

/** What `/metrics` reports from: the ledger, the service's counters and the pricing in force. */
export interface MetricsDependencies {
  store: QueryStore;
  metrics: ServerMetrics;
  pricing?: Pricing | undefined;
}

// The service's counters, by their Prometheus name: each reads its value from the snapshot of the
// scrape (the counts live in ServerMetrics, which the routes update; prom-client only exposes them).
type CountKey = {
  [K in keyof MetricsSnapshot]: MetricsSnapshot[K] extends number ? K : never;
}[keyof MetricsSnapshot];
const counters: ReadonlyArray<[name: string, help: string, value: CountKey]> = [
  [
    "llm_ledger_ingest_events_accepted_total",
    "Events accepted by POST /v1/events and POST /v1/traces since start (new and duplicate).",
    "eventsAccepted",
  ],
  [
    "llm_ledger_ingest_events_written_total",
    "Events newly written by POST /v1/events and POST /v1/traces since start.",
    "eventsWritten",
  ],
  [
    "llm_ledger_ingest_events_duplicate_total",
    "Events sent again (same eventId, or the same span) since start.",
    "eventsDuplicate",
  ],
  [
    "llm_ledger_ingest_events_rejected_total",
    "Events (or call spans) rejected by validation since start.",
    "eventsRejected",
  ],
  ["llm_ledger_otlp_spans_received_total", "Spans received by POST /v1/traces since start.", "spansReceived"],
  [
    "llm_ledger_otlp_spans_ignored_total",
    "Spans received by POST /v1/traces that are not provider calls (accepted and not recorded).",
    "spansIgnored",
  ],
  [
    "llm_ledger_pricing_refreshes_total",
    "Scheduled pricing catalog refreshes that fetched and validated a catalog since start.",
    "pricingRefreshes",
  ],
  [
    "llm_ledger_pricing_refresh_failures_total",
    "Scheduled pricing catalog refreshes that failed since start (the catalog in force was kept).",
    "pricingRefreshFailures",
  ],
  [
    "llm_ledger_bills_import_failures_total",
    "Scheduled bill imports that failed since start (the stored bill was kept).",
    "billsImportFailures",
  ],
];

/**
 * `GET /metrics` (scope read): the Prometheus text exposition, written by prom-client — the service's
 * ingest and OTLP span counters, pending events, pricing refreshes and scheduled bill imports (from a
 * registry of this route's own: no global state), then the pricing catalog in force and spend and
 * events by project and provider. A key bound to a project gets that project's spend and events (and
 * the catalog) only: the service's counters count every project's requests.
 */
export function createMetricsRoutes(dependencies: MetricsDependencies, guards: Guards): LedgerApp {
  const service = new Registry();
  let snapshot: MetricsSnapshot = dependencies.metrics.snapshot();
  for (const [name, help, value] of counters) {
    new Counter({
      name,
      help,
      registers: [service],
      collect() {
        this.reset();
        this.inc(snapshot[value]);
      },
    });
  }
  new Gauge({
    name: "llm_ledger_ingest_pending_events",
    help: "Validated events whose write has not committed yet.",
    registers: [service],
    collect() {
      this.set(snapshot.pendingEvents);
    },
  });
  new Gauge({
    name: "llm_ledger_bills_last_import_timestamp_seconds",
    help: "Time of the last successful scheduled bill import (serve --bills-refresh), by provider, in seconds since the Unix epoch.",
    labelNames: ["provider"],
    registers: [service],
    collect() {
      this.reset();
      for (const [provider, seconds] of Object.entries(snapshot.billsLastImport))
        this.set({ provider }, seconds);
    },
  });

  const routes: LedgerApp = new Hono();
  routes.on("GET", "/", guards.read);
  routes.get("/", async (context) => {
    const principal = context.get("principal");
    // By project too: a key of every project sees each project's series apart (`project` label), a
    // key bound to one project only its own.
    const byProvider = await queryCosts(dependencies.store, {
      groupBy: ["project", "provider"],
      filters: readFiltersOf(principal, undefined),
    });
    snapshot = dependencies.metrics.snapshot();
    // The ledger's series in a registry of this scrape's own, so that concurrent scrapes by keys of
    // different projects never see each other's figures.
    const ledger = ledgerRegistry(dependencies.pricing, byProvider.rows);
    const texts = [...(principal.project === null ? [await service.metrics()] : []), await ledger.metrics()];
    // prom-client separates families with a blank line; the format ignores them, and without them
    // every line of the answer is a comment or a sample (label values are escaped, never a newline).
    const text = texts.join("\n").replace(/\n{2,}/g, "\n");
    return context.body(text, 200, { "content-type": service.contentType });
  });
  return routes;
}

/**
 * The pricing catalog in force, and spend and events by project and provider: a series is there
 * exactly while the ledger holds its events.
 */
function ledgerRegistry(
  pricing: Pricing | undefined,
  rows: ReadonlyArray<{ project?: string | null; provider?: string | null; costUsd: string; events: number }>,
): Registry {
  const registry = new Registry();
  if (pricing) {
    new Gauge({
      name: "llm_ledger_pricing_catalog_date_seconds",
      help: "Date of the pricing catalog in force (00:00 UTC), in seconds since the Unix epoch.",
      labelNames: ["version"],
      registers: [registry],
    }).set({ version: pricing.version }, Date.parse(`${pricing.catalogDate}T00:00:00Z`) / 1000);
  }
  const spend = new Gauge({
    name: "llm_ledger_spend_usd",
    help: "Estimated spend in US dollars recorded in the ledger, by project and provider (all time).",
    labelNames: ["project", "provider"],
    registers: [registry],
  });
  const events = new Gauge({
    name: "llm_ledger_events",
    help: "Events recorded in the ledger, by project and provider (all time).",
    labelNames: ["project", "provider"],
    registers: [registry],
  });
  for (const row of rows) {
    const labels = { project: String(row.project), provider: String(row.provider) };
    // Prometheus samples are float64: the exact decimal figure is in GET /v1/costs.
    spend.set(labels, Number(row.costUsd));
    events.set(labels, row.events);
  }
  return registry;
}

/** The metrics group for `AppDependencies.routes`, mounted at `/metrics`. */
export function mountMetricsRoutes(dependencies: MetricsDependencies) {
  return (app: LedgerApp, guards: Guards): void => {
    app.route("/metrics", createMetricsRoutes(dependencies, guards));
  };
}
