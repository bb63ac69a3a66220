// A task the service runs on a schedule (the pricing refresh, the bill import): once at start, then
// every `everyMs` on an unref'd timer (it never keeps the process alive), never two runs at once.

/** A scheduled task's handle. */
export interface PeriodicTask {
  /** Runs the task now, or joins the run under way; resolves when it ends, never rejects. */
  runNow(): Promise<void>;
  /** Stops the schedule, aborts the run under way and waits for it (at most `stopWaitMs`). */
  stop(): Promise<void>;
}

/**
 * Starts `run` on a schedule. `run` gets a signal that aborts when the task stops, and `stopped()` to
 * check before it records anything (a run that ends after `stop` must change nothing); it must not
 * reject (it logs and counts its own failures).
 */
export function startPeriodicTask(options: {
  everyMs: number;
  run(signal: AbortSignal, stopped: () => boolean): Promise<void>;
  /** How long `stop` waits for a run under way after aborting it (default: until it ends). */
  stopWaitMs?: number | undefined;
}): PeriodicTask {
  let running: Promise<void> | undefined;
  let stopped = false;
  const stopping = new AbortController();
  const runNow = () => {
    running ??= options
      .run(stopping.signal, () => stopped)
      .finally(() => {
        running = undefined;
      });
    return running;
  };
  const timer = setInterval(() => {
    if (!stopped) void runNow();
  }, options.everyMs);
  timer.unref();
  void runNow();
  return {
    runNow,
    async stop() {
      stopped = true;
      clearInterval(timer);
      stopping.abort();
      if (options.stopWaitMs === undefined) {
        await running;
        return;
      }
      let timeout: NodeJS.Timeout | undefined;
      await Promise.race([
        running,
        new Promise<void>((resolve) => {
          timeout = setTimeout(resolve, options.stopWaitMs);
          timeout.unref();
        }),
      ]);
      clearTimeout(timeout);
    },
  };
}
