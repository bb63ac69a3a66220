import type { NewLlmCostRecord, RecordRejection, TelemetryStore } from "../store/index.js";

/** What one request's events came to. */
export interface IngestWriteResult {
  inserted: number;
  duplicates: number;
  /** This request's records the store refused for their content (the others were stored). */
  rejected?: RecordRejection[];
}

export interface IngestWriter {
  /** Resolves once these records are committed (or rejects when the write failed). */
  write(records: readonly NewLlmCostRecord[]): Promise<IngestWriteResult>;
}

interface Waiting {
  records: readonly NewLlmCostRecord[];
  resolve(result: IngestWriteResult): void;
  reject(error: unknown): void;
}

/**
 * Group commit for HTTP ingest: requests that arrive while a write is in flight are written together
 * in the next statement, and each is answered once that statement has committed. Small batches
 * would otherwise each pay a transaction, a commit and a rollup trigger run; one statement of many
 * requests pays once.
 */
export function createIngestWriter(
  store: Pick<TelemetryStore, "recordLlmCosts" | "maxBatchSize">,
  options: { concurrency?: number } = {},
): IngestWriter {
  const maxRows = Math.max(store.maxBatchSize, 1_000);
  const concurrency = options.concurrency ?? 1;
  const waiting: Waiting[] = [];
  let active = 0;

  function pump(): void {
    while (active < concurrency && waiting.length > 0) {
      const group: Waiting[] = [];
      let rows = 0;
      while (waiting.length > 0 && (group.length === 0 || rows + waiting[0]!.records.length <= maxRows)) {
        const next = waiting.shift()!;
        group.push(next);
        rows += next.records.length;
      }
      active += 1;
      void writeGroup(group).finally(() => {
        active -= 1;
        pump();
      });
    }
  }

  async function writeGroup(group: Waiting[]): Promise<void> {
    // An eventId repeated within the group is written once: the first request carrying it owns it,
    // and every later copy counts as a duplicate, as it would had the requests come one by one.
    const owner = new Map<string, number>();
    const records: NewLlmCostRecord[] = [];
    group.forEach((request, index) => {
      for (const record of request.records) {
        if (owner.has(record.eventId)) continue;
        owner.set(record.eventId, index);
        records.push(record);
      }
    });
    try {
      const result = await store.recordLlmCosts(records);
      const alreadyStored = new Set(result.duplicateEventIds ?? []);
      // The store commits every record but those it refused for their content: each request hears of
      // its own refused records, and the other requests of the group are not failed for them.
      const refused = new Map((result.rejected ?? []).map((rejection) => [rejection.eventId, rejection]));
      group.forEach((request, index) => {
        let inserted = 0;
        const rejected: RecordRejection[] = [];
        const counted = new Set<string>();
        for (const record of request.records) {
          const owned = owner.get(record.eventId) === index && !counted.has(record.eventId);
          counted.add(record.eventId);
          const rejection = refused.get(record.eventId);
          if (owned && rejection) rejected.push(rejection);
          else if (owned && !alreadyStored.has(record.eventId)) inserted += 1;
        }
        const duplicates = request.records.length - inserted - rejected.length;
        request.resolve(rejected.length > 0 ? { inserted, duplicates, rejected } : { inserted, duplicates });
      });
    } catch (error) {
      for (const request of group) request.reject(error);
    }
  }

  return {
    write(records) {
      if (records.length === 0) return Promise.resolve({ inserted: 0, duplicates: 0 });
      return new Promise((resolve, reject) => {
        waiting.push({ records, resolve, reject });
        pump();
      });
    },
  };
}
