// The flush barrier on its own: what a flush waits for when batches settle out of order.
import { describe, expect, it } from "vitest";
import { createFlushBarrier } from "../../src/tracker/flush-barrier.js";

/** Whether `promise` has settled once pending callbacks ran. */
async function isSettled(promise: Promise<void>): Promise<boolean> {
  let settled = false;
  void promise.then(() => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

describe("flush barrier", () => {
  it("has nothing to wait for before any event, or once every accepted event settled", () => {
    const barrier = createFlushBarrier();
    expect(barrier.wait()).toBeUndefined();
    barrier.accept();
    barrier.finish(barrier.take(1));
    expect(barrier.wait()).toBeUndefined();
    expect(barrier.waiting).toBe(0);
  });

  it("waits for events accepted but not yet taken", async () => {
    const barrier = createFlushBarrier();
    barrier.accept();
    barrier.accept();
    const flushed = barrier.wait()!;
    expect(barrier.waiting).toBe(1);
    const first = barrier.take(1);
    barrier.finish(first);
    expect(await isSettled(flushed)).toBe(false); // the second event is still queued
    barrier.finish(barrier.take(1));
    expect(await isSettled(flushed)).toBe(true);
    expect(barrier.waiting).toBe(0);
  });

  it("waits for an earlier batch when a later one settles first", async () => {
    const barrier = createFlushBarrier();
    for (let index = 0; index < 20; index++) barrier.accept();
    const earlier = barrier.take(10);
    const later = barrier.take(10);
    const flushed = barrier.wait()!;
    barrier.finish(later);
    expect(await isSettled(flushed)).toBe(false);
    barrier.finish(earlier);
    expect(await isSettled(flushed)).toBe(true);
  });

  it("lets a flush through without the events accepted after it", async () => {
    const barrier = createFlushBarrier();
    barrier.accept();
    const flushed = barrier.wait()!;
    barrier.accept(); // after the flush: not waited for
    const taken = barrier.take(1);
    barrier.finish(taken);
    expect(await isSettled(flushed)).toBe(true);
    const second = barrier.wait()!;
    expect(await isSettled(second)).toBe(false);
    barrier.finish(barrier.take(1));
    expect(await isSettled(second)).toBe(true);
  });

  it("releases several flushes, each at its own position, in any order of settling", async () => {
    const barrier = createFlushBarrier();
    barrier.accept();
    const first = barrier.wait()!;
    barrier.accept();
    const second = barrier.wait()!;
    const batchOne = barrier.take(1);
    const batchTwo = barrier.take(1);
    barrier.finish(batchTwo);
    expect([await isSettled(first), await isSettled(second)]).toEqual([false, false]);
    barrier.finish(batchOne);
    expect([await isSettled(first), await isSettled(second)]).toEqual([true, true]);
  });
});
