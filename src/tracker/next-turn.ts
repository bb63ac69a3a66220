/** Resolves on the event loop's next turn (after pending I/O and timers get a chance to run). */
export const nextTurn = (): Promise<void> => new Promise<void>((resolve) => setImmediate(resolve));
