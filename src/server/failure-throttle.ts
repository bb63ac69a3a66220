/**
 * Slows down repeated authentication failures from one address: after `limit` failures within
 * `windowMs`, that address is refused (429) until the window has passed since its latest failure.
 */
export interface FailureThrottle {
  /** Milliseconds the address must wait, or 0 when it may try. */
  retryAfter(address: string): number;
  recordFailure(address: string): void;
  recordSuccess(address: string): void;
}

export function createFailureThrottle(
  options: { limit?: number; windowMs?: number; now?: () => number } = {},
): FailureThrottle {
  const limit = options.limit ?? 10;
  const windowMs = options.windowMs ?? 60_000;
  const now = options.now ?? Date.now;
  const failures = new Map<string, { count: number; last: number }>();

  const current = (address: string) => {
    const entry = failures.get(address);
    if (entry && now() - entry.last > windowMs) {
      failures.delete(address);
      return undefined;
    }
    return entry;
  };

  return {
    retryAfter(address) {
      const entry = current(address);
      return entry && entry.count >= limit ? Math.max(1, windowMs - (now() - entry.last)) : 0;
    },
    recordFailure(address) {
      const entry = current(address) ?? { count: 0, last: 0 };
      entry.count += 1;
      entry.last = now();
      failures.set(address, entry);
      if (failures.size > 100_000) failures.clear(); // bounded memory under a flood of addresses
    },
    recordSuccess(address) {
      failures.delete(address);
    },
  };
}
