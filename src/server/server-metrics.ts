/** In-process counters of the service, exposed at `/metrics`. */
export interface ServerMetrics {
  ingestStarted(events: number): void;
  ingestFinished(events: number): void;
  recordIngest(result: { inserted: number; duplicates: number; rejected: number }): void;
  snapshot(): MetricsSnapshot;
}

export interface MetricsSnapshot {
  eventsAccepted: number;
  eventsWritten: number;
  eventsDuplicate: number;
  eventsRejected: number;
  /** Events validated and waiting for their write to commit. */
  pendingEvents: number;
}

export function createServerMetrics(): ServerMetrics {
  const counters: MetricsSnapshot = {
    eventsAccepted: 0,
    eventsWritten: 0,
    eventsDuplicate: 0,
    eventsRejected: 0,
    pendingEvents: 0,
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
    snapshot: () => ({ ...counters }),
  };
}
