/** In-process counters of the service, exposed at `/metrics`. */
export interface ServerMetrics {
  ingestStarted(events: number): void;
  ingestFinished(events: number): void;
  recordIngest(result: { inserted: number; duplicates: number; rejected: number }): void;
  /** Spans of one OTLP export: how many arrived, were provider calls, and were not calls (ignored). */
  recordSpans(spans: { received: number; calls: number; ignored: number }): void;
  /** One scheduled pricing catalog refresh finished, successfully or not. */
  pricingRefreshed(succeeded: boolean): void;
  /** One scheduled bill import of a provider finished, successfully or not. */
  billsImported(provider: string, succeeded: boolean, at?: Date): void;
  snapshot(): MetricsSnapshot;
}

export interface MetricsSnapshot {
  eventsAccepted: number;
  eventsWritten: number;
  eventsDuplicate: number;
  eventsRejected: number;
  /** Events validated and waiting for their write to commit. */
  pendingEvents: number;
  /** Scheduled pricing catalog refreshes that fetched and validated (whether or not the catalog changed). */
  pricingRefreshes: number;
  /** Scheduled pricing catalog refreshes that failed (fetch, invalid or older file): the catalog in force was kept. */
  pricingRefreshFailures: number;
  /** The last successful scheduled bill import per provider, in seconds since the Unix epoch. */
  billsLastImport: Record<string, number>;
  /** Scheduled bill imports that failed since start (the stored bill was kept). */
  billsImportFailures: number;
  /** Spans received by POST /v1/traces. */
  spansReceived: number;
  /** Of those, the provider calls (each became an event, or was refused). */
  spansCalls: number;
  /** Of those, spans that are not provider calls (HTTP, database, wrappers that sum their calls). */
  spansIgnored: number;
}

export function createServerMetrics(): ServerMetrics {
  const counters: MetricsSnapshot = {
    eventsAccepted: 0,
    eventsWritten: 0,
    eventsDuplicate: 0,
    eventsRejected: 0,
    pendingEvents: 0,
    pricingRefreshes: 0,
    pricingRefreshFailures: 0,
    billsLastImport: {},
    billsImportFailures: 0,
    spansReceived: 0,
    spansCalls: 0,
    spansIgnored: 0,
  };
  return {
    ingestStarted(events) {
      counters.pendingEvents += events;
    },
    ingestFinished(events) {
      counters.pendingEvents -= events;
    },
    recordIngest(result) {
      counters.eventsAccepted += result.inserted + result.duplicates;
      counters.eventsWritten += result.inserted;
      counters.eventsDuplicate += result.duplicates;
      counters.eventsRejected += result.rejected;
    },
    recordSpans(spans) {
      counters.spansReceived += spans.received;
      counters.spansCalls += spans.calls;
      counters.spansIgnored += spans.ignored;
    },
    pricingRefreshed(succeeded) {
      if (succeeded) counters.pricingRefreshes += 1;
      else counters.pricingRefreshFailures += 1;
    },
    billsImported(provider, succeeded, at = new Date()) {
      if (succeeded) counters.billsLastImport[provider] = Math.floor(at.getTime() / 1000);
      else counters.billsImportFailures += 1;
    },
    snapshot: () => ({ ...counters, billsLastImport: { ...counters.billsLastImport } }),
  };
}
