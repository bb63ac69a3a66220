// The requests the service's handler is still working on. Closing the HTTP server waits for its
// connections, but a client that gives up (a timed-out exporter, a load generator that stops) closes
// its connection while the handler still waits on the group commit: the database must stay open
// until that handler is done, or its events fail to commit for nobody's benefit.

/** Counts handler calls under way and says when none is left. */
export interface RequestsInFlight {
  /** `fetch`, counted while its answer is being made. */
  wrap<Rest extends unknown[]>(
    fetch: (request: Request, ...rest: Rest) => Response | Promise<Response>,
  ): (request: Request, ...rest: Rest) => Promise<Response>;
  /** Resolves when no handler call is under way, or after `timeoutMs` whatever is left. */
  drained(timeoutMs: number): Promise<void>;
}

export function createRequestsInFlight(): RequestsInFlight {
  let active = 0;
  let waiters: Array<() => void> = [];
  const settle = () => {
    active--;
    if (active > 0) return;
    const resolved = waiters;
    waiters = [];
    for (const resolve of resolved) resolve();
  };
  return {
    wrap(fetch) {
      // Every argument passes through: the Node adapter hands the handler its socket beside the request.
      return async (request, ...rest) => {
        active++;
        try {
          return await fetch(request, ...rest);
        } finally {
          settle();
        }
      };
    },
    drained(timeoutMs) {
      if (active === 0) return Promise.resolve();
      return new Promise((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        timer.unref();
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    },
  };
}
