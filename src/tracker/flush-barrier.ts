// What `flush()` waits for. Events are numbered in the order they were accepted, and taken from the
// queue in batches. With several batches in flight a later batch may settle before an earlier one,
// so a flush waits for a position, not a count: every event numbered below the position it saw when
// it was called must be settled (durable, spooled or rejected).

/** Numbers accepted events and tells waiters when every event before their position has settled. */
export interface FlushBarrier {
  /** Counts one more accepted event (it will be taken, in order, by `take`). */
  accept(): void;
  /** Marks the next `count` accepted events as one outstanding batch; returns its first number. */
  take(count: number): number;
  /** Settles the batch that starts at `first` as a whole, waking the waiters it lets through. */
  finish(first: number): void;
  /**
   * Resolves once every event accepted before the call has settled; `undefined` when that is
   * already so (no promise is made for a flush that has nothing to wait for).
   */
  wait(): Promise<void> | undefined;
  /** Flushes still waiting. */
  readonly waiting: number;
}

/** Creates a barrier with no event accepted yet. */
export function createFlushBarrier(): FlushBarrier {
  let accepted = 0;
  /** Events taken so far: the number of the next event to take. */
  let taken = 0;
  /** The first event number of each batch taken and not yet settled as a whole. */
  const outstanding = new Set<number>();
  const waiters: { target: number; resolve: () => void }[] = [];

  /** Every event numbered below this is settled. */
  const settledBefore = () => {
    let lowest = taken;
    for (const first of outstanding) if (first < lowest) lowest = first;
    return lowest;
  };

  return {
    accept() {
      accepted++;
    },
    take(count) {
      const first = taken;
      taken += count;
      outstanding.add(first);
      return first;
    },
    finish(first) {
      outstanding.delete(first);
      if (waiters.length === 0) return;
      const settledUpTo = settledBefore();
      for (let index = waiters.length - 1; index >= 0; index--) {
        const waiter = waiters[index]!;
        if (settledUpTo >= waiter.target) {
          waiters.splice(index, 1);
          waiter.resolve();
        }
      }
    },
    wait() {
      const target = accepted;
      if (settledBefore() >= target) return undefined;
      return new Promise<void>((resolve) => waiters.push({ target, resolve }));
    },
    get waiting() {
      return waiters.length;
    },
  };
}
