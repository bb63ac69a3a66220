/** Counters of one tracker since it was created. */
export interface TrackerStats {
  /** Events that passed validation and were queued. */
  accepted: number;
  /** Events committed to the store (including replayed ones). */
  written: number;
  /** Events whose `eventId` was already stored. */
  duplicates: number;
  /** Events refused: invalid input, or refused by the store or the service for their content. */
  rejected: number;
  /** Events recorded with `priced = false` (no price for the model). */
  unpriced: number;
  /** Failed write attempts that were retried. */
  retries: number;
  /** Events appended to the spool (its overflow files included). */
  spooled: number;
  /** Events written from the spool. */
  replayed: number;
  /** Events dropped: queue full with the spool off, the disk refused the spool, or tracked after close. */
  dropped: number;
  /** Events queued and not yet settled. */
  pending: number;
  /** The last write error, with when it happened. */
  lastError: { message: string; at: string } | null;
}

/** A fresh set of counters. */
export function emptyStats(): TrackerStats {
  return {
    accepted: 0,
    written: 0,
    duplicates: 0,
    rejected: 0,
    unpriced: 0,
    retries: 0,
    spooled: 0,
    replayed: 0,
    dropped: 0,
    pending: 0,
    lastError: null,
  };
}
