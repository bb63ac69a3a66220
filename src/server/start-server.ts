import type { AddressInfo } from "node:net";
import type { Server } from "node:http";
import { serve } from "@hono/node-server";
import { LedgerError } from "../errors.js";
import { createPricing, type Pricing } from "../pricing/index.js";
import { createTelemetryStore, type Database, type TelemetryStore } from "../store/index.js";
import { createProjectStore } from "../projects/index.js";
import { createApiKeyStore } from "./api-keys.js";
import { mountAlertRoutes } from "./alert-routes.js";
import { mountBudgetRoutes } from "./budget-routes.js";
import { startAlertSchedule, type AlertSchedule, type AlertScheduleOptions } from "../budgets/index.js";
import { createApp } from "./app.js";
import { createConnectionGuard } from "./connection-guard.js";
import { mountCostRoutes } from "./cost-routes.js";
import { generateDemoEvents } from "./demo-events.js";
import { mountIngestRoutes } from "./ingest-routes.js";
import { createIngestWriter } from "./ingest-writer.js";
import { mountMetricsRoutes } from "./metrics-routes.js";
import { mountOtlpRoutes } from "./otlp-routes.js";
import type { SpanAttribution } from "../integrations/opentelemetry/index.js";
import { createLivePricing } from "./live-pricing.js";
import { startPricingRefresh, type PricingRefreshOptions } from "./pricing-refresh.js";
import { startBillsRefresh, type BillsRefreshOptions } from "./bills-refresh.js";
import { mountPricingRoutes } from "./pricing-routes.js";
import { mountReconciliationRoutes } from "./reconciliation-routes.js";
import { createServerMetrics } from "./server-metrics.js";
import type { ServerLogger } from "./server-logger.js";
import { mountDashboard } from "./static-files.js";
import { createRequestsInFlight } from "./requests-in-flight.js";

/** Options of `startServer`: where the ledger is, how to listen, and the service's limits. */
export interface StartServerOptions {
  /** Database URL (the CLI conventions); ignored with `demo`, which uses `memory:`. */
  databaseUrl?: string | undefined;
  /** An open database the caller owns (tests); closing the server leaves it open. */
  database?: Database | undefined;
  /** A read replica (`postgres://`) the reports and the dashboard read; writes go to the primary. */
  readDatabaseUrl?: string | undefined;
  cwd?: string | undefined;
  home?: string | undefined;
  schema?: string | undefined;
  /** Default 127.0.0.1. */
  host?: string | undefined;
  /** Default 8787; 0 picks a free port. */
  port?: number | undefined;
  /** An admin key held in memory only (`LLM_LEDGER_ADMIN_KEY`), at least 20 characters. */
  adminKey?: string | undefined;
  pricing?: Pricing | undefined;
  /**
   * Refresh the pricing catalog on a schedule (`serve --pricing-refresh`); a failed refresh keeps the
   * catalog in force and counts in `/metrics`.
   */
  pricingRefresh?: PricingRefreshOptions | undefined;
  /** Import the providers' bills on a schedule (`serve --bills-refresh`), logged and gauged in `/metrics`. */
  billsRefresh?: BillsRefreshOptions | undefined;
  /** Fill an in-memory database with 30 days of generated events. */
  demo?: boolean | undefined;
  /**
   * Behind a reverse proxy: believe its `X-Forwarded-For` (client address), `X-Forwarded-Host` and
   * `X-Forwarded-Proto` (a `Secure` session cookie over HTTPS). Never set it without such a proxy:
   * any client could then claim any address.
   */
  trustProxy?: boolean | undefined;
  /** Always mark the session cookie `Secure` (the service is reached over HTTPS). */
  secureCookies?: boolean | undefined;
  /** Open connections allowed per client address (default 256). */
  maxConnectionsPerClient?: number | undefined;
  /** A connection that has authenticated no request is closed after this long idle (default 10 s). */
  unauthenticatedIdleMs?: number | undefined;
  /** A request still unanswered after this long gets 503 with Retry-After (default 30 s). */
  requestTimeoutMs?: number | undefined;
  /**
   * How OTLP spans (`POST /v1/traces`) are attributed: which span or resource attributes give the repo,
   * task type, user, session, environment and metadata (each list replaces the default's).
   */
  otlpAttribution?: Partial<SpanAttribution> | undefined;
  /**
   * Budget alerts: evaluate every `intervalMs` (default 60 s, and soon after an ingest) and deliver;
   * `false` turns the schedule off (the routes stay). Webhooks to loopback, private and link-local
   * addresses are refused unless `allowPrivateWebhooks`.
   */
  alerts?:
    | false
    | {
        intervalMs?: number | undefined;
        allowPrivateWebhooks?: boolean | undefined;
        /** The dashboard's public address for alert bodies (default: this server's URL). */
        dashboardUrl?: string | undefined;
        /** The bill drift rule (`serve --bill-drift-percent`); off without it. */
        billDrift?: AlertScheduleOptions["billDrift"];
      }
    | undefined;
  logger: ServerLogger;
}

/** Open connections allowed per client address unless configured: far more than a browser or a tracker opens. */
export const defaultMaxConnectionsPerClient = 256;

/** A started service: its address, its store, and `close()` to stop it (finishing the requests under way). */
export interface RunningServer {
  url: string;
  store: TelemetryStore;
  /** The admin key generated on this first start (no admin key existed): shown once. */
  generatedAdminKey?: string | undefined;
  /** With `demo`: a read key for the dashboard. */
  demoReadKey?: string | undefined;
  /** Stops accepting, finishes requests in flight, then closes the database. Safe to call twice. */
  close(): Promise<void>;
}

/** Opens the store (migrating it), ensures an admin key, and serves the API and the dashboard. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  if (options.adminKey !== undefined && options.adminKey.length < 20) {
    throw new LedgerError("E_ADMIN_KEY", "LLM_LEDGER_ADMIN_KEY must be at least 20 characters");
  }
  const live = createLivePricing(options.pricing ?? createPricing());
  const pricing = live.pricing;
  const store = await createTelemetryStore({
    ...(options.database
      ? { database: options.database }
      : { databaseUrl: options.demo ? "memory:" : options.databaseUrl }),
    cwd: options.cwd,
    home: options.home,
    schema: options.schema,
    readDatabaseUrl: options.readDatabaseUrl,
  });
  try {
    const keys = createApiKeyStore({
      database: store.database,
      schema: store.schema,
      adminKey: options.adminKey,
    });
    const projects = createProjectStore({ database: store.database, schema: store.schema });
    let generatedAdminKey: string | undefined;
    if (options.adminKey === undefined && !(await keys.hasAdminKey())) {
      generatedAdminKey = (await keys.create({ name: "admin (generated on first start)", scopes: ["admin"] }))
        .key;
    }
    let demoReadKey: string | undefined;
    if (options.demo) {
      const events = generateDemoEvents(pricing);
      for (let start = 0; start < events.length; start += store.maxBatchSize) {
        await store.recordLlmCosts(events.slice(start, start + store.maxBatchSize));
      }
      demoReadKey = (await keys.create({ name: "demo dashboard", scopes: ["read"] })).key;
      options.logger.info({ events: events.length }, "demo: generated 30 days of events");
    }
    const metrics = createServerMetrics();
    const alertOptions = options.alerts === false ? undefined : (options.alerts ?? {});
    const delivery = { allowPrivateWebhooks: alertOptions?.allowPrivateWebhooks ?? false };
    let alerts: AlertSchedule | undefined;
    let lastRefusalLogged = 0;
    const connections = createConnectionGuard({
      maxPerClient: options.maxConnectionsPerClient ?? defaultMaxConnectionsPerClient,
      unauthenticatedIdleMs: options.unauthenticatedIdleMs ?? 10_000,
      onRefused(address) {
        // One line a minute at most: a flood of refusals must not become a flood of log lines.
        if (Date.now() - lastRefusalLogged < 60_000) return;
        lastRefusalLogged = Date.now();
        options.logger.warn({ address }, "refused connections beyond the per-client limit");
      },
    });
    // Two group commits overlap on a server (one commits while the next is sent on another
    // connection) and pipeline into PGlite's worker thread; PGlite on this thread runs one at a time.
    // Both ingest routes write through it, so their requests commit together.
    const writer = createIngestWriter(store, { concurrency: store.maxConcurrentWrites });
    const app = createApp({
      keys,
      projects,
      logger: options.logger,
      trustProxy: options.trustProxy,
      secureCookies: options.secureCookies,
      requestTimeoutMs: options.requestTimeoutMs,
      onAuthenticated: (context) => connections.markAuthenticated(context),
      routes: [
        mountIngestRoutes({
          store,
          projects,
          pricing,
          logger: options.logger,
          metrics,
          writer,
          onIngested: () => alerts?.nudge(),
        }),
        mountOtlpRoutes({
          writer,
          pricing,
          logger: options.logger,
          metrics,
          attribution: options.otlpAttribution,
          onIngested: () => alerts?.nudge(),
        }),
        mountCostRoutes(store, pricing),
        mountReconciliationRoutes(store),
        mountBudgetRoutes(store),
        mountAlertRoutes(store, delivery),
        mountPricingRoutes(pricing),
        mountMetricsRoutes({ store, metrics, pricing }),
        (ledgerApp) => mountDashboard(ledgerApp),
      ],
    });
    const inFlight = createRequestsInFlight();
    const server = await listen(
      inFlight.wrap(app.fetch),
      options.host ?? "127.0.0.1",
      options.port ?? 8787,
      (created) => connections.attach(created),
    );
    const refresher = options.pricingRefresh
      ? startPricingRefresh({ ...options.pricingRefresh, live, metrics, logger: options.logger })
      : undefined;
    const billsRefresher = options.billsRefresh
      ? startBillsRefresh({ ...options.billsRefresh, store, metrics, logger: options.logger })
      : undefined;
    const address = server.address() as AddressInfo;
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    if (alertOptions) {
      alerts = startAlertSchedule({
        store,
        ...delivery,
        intervalMs: alertOptions.intervalMs,
        dashboardUrl: alertOptions.dashboardUrl ?? `http://${host}:${address.port}/`,
        billDrift: alertOptions.billDrift,
        logger: options.logger,
      });
    }
    let closing: Promise<void> | undefined;
    return {
      url: `http://${host}:${address.port}`,
      store,
      generatedAdminKey,
      demoReadKey,
      close() {
        closing ??= (async () => {
          await refresher?.stop();
          await billsRefresher?.stop();
          await alerts?.stop();
          await stopAccepting(server);
          // Handlers whose client left still finish their commit (at most 10 s more).
          await inFlight.drained(10_000);
          await store.close();
        })();
        return closing;
      },
    };
  } catch (error) {
    await store.close();
    throw error;
  }
}

function listen(
  fetch: (request: Request) => Response | Promise<Response>,
  hostname: string,
  port: number,
  prepare: (server: Server) => void,
): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname, port }) as Server;
    prepare(server);
    server.once("listening", () => resolve(server));
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(
        new LedgerError(
          error.code === "EADDRINUSE" ? "E_PORT_IN_USE" : "E_LISTEN",
          error.code === "EADDRINUSE"
            ? `port ${port} on ${hostname} is in use; choose another with --port (0 picks a free one)`
            : `cannot listen on ${hostname}:${port}: ${error.message}`,
          { cause: error },
        ),
      ),
    );
  });
}

/** Stops accepting connections and waits for requests in flight (at most 10 s, then cuts the rest). */
function stopAccepting(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), 10_000);
    timer.unref();
    server.close(() => {
      clearTimeout(timer);
      resolve();
    });
    server.closeIdleConnections();
  });
}
