/**
 * Slows down repeated authentication failures for one subject (the guards use the client's address
 * together with the key prefix it claimed): after `limit` failures within `windowMs`, that subject's
 * failures are answered 429 until the window has passed since its latest failure. A valid key is
 * never refused (the guards check the key first), so a flood of wrong keys from one address cannot
 * lock out the right ones.
 */
export interface FailureThrottle {
  /** Milliseconds the subject must wait, or 0 when it may try. */
  retryAfter(subject: string): number;
  recordFailure(subject: string): void;
  recordSuccess(subject: string): void;
  /** Subjects currently remembered (bounded by `maxSubjects`). */
  readonly size: number;
}

export function createFailureThrottle(
  options: { limit?: number; windowMs?: number; maxSubjects?: number; now?: () => number } = {},
): FailureThrottle {
  const limit = options.limit ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const maxSubjects = options.maxSubjects ?? 100_000;
  const now = options.now ?? Date.now;
  // Ordered by latest failure (an entry is re-inserted on each failure), so the expired and the
  // least recently failing subjects are always at the front: expiry and eviction cost O(1) each,
  // and a full table drops its quietest subject instead of every lockout at once.
  const failures = new Map<string, { count: number; last: number }>();

  const expire = () => {
    const cutoff = now() - windowMs;
    for (const [subject, entry] of failures) {
      if (entry.last >= cutoff) break;
      failures.delete(subject);
    }
  };

  const current = (subject: string) => {
    const entry = failures.get(subject);
    if (entry && now() - entry.last > windowMs) {
      failures.delete(subject);
      return undefined;
    }
    return entry;
  };

  return {
    retryAfter(subject) {
      const entry = current(subject);
      return entry && entry.count >= limit ? Math.max(1, windowMs - (now() - entry.last)) : 0;
    },
    recordFailure(subject) {
      expire();
      const entry = current(subject) ?? { count: 0, last: 0 };
      entry.count += 1;
      entry.last = now();
      failures.delete(subject);
      failures.set(subject, entry);
      if (failures.size > maxSubjects) {
        const oldest = failures.keys().next().value;
        if (oldest !== undefined) failures.delete(oldest);
      }
    },
    recordSuccess(subject) {
      failures.delete(subject);
    },
    get size() {
      return failures.size;
    },
  };
}
