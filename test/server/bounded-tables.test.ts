// The server's in-memory tables (failure throttle, sessions) stay bounded under a flood without
// forgetting what matters, and their cost per operation does not grow with their size.
import { describe, expect, it } from "vitest";
import { createFailureThrottle } from "../../src/server/failure-throttle.js";
import { createSessionStore } from "../../src/server/sessions.js";

const principal = (keyId: string) => ({ keyId, name: keyId, scopes: ["read"] as const, project: null });

/** Milliseconds `work` takes. */
function timed(work: () => void): number {
  const start = performance.now();
  work();
  return performance.now() - start;
}

describe("failure throttle", () => {
  it("forgets failures after the window", () => {
    let now = 0;
    const throttle = createFailureThrottle({ limit: 2, windowMs: 1000, now: () => now });
    throttle.recordFailure("a");
    throttle.recordFailure("a");
    expect(throttle.retryAfter("a")).toBe(1000);
    expect(throttle.retryAfter("b")).toBe(0);
    now = 1500;
    expect(throttle.retryAfter("a")).toBe(0);
  });

  it("keeps an active lockout when a flood of other subjects fills the table", () => {
    let now = 0;
    const throttle = createFailureThrottle({ limit: 3, windowMs: 60_000, now: () => now });
    for (let attempt = 0; attempt < 3; attempt++) throttle.recordFailure("attacker llk_AAAA");
    for (let flood = 0; flood < 120_000; flood++) {
      throttle.recordFailure(`10.0.${flood} llk_flood`);
      if (flood % 20_000 === 0) throttle.recordFailure("attacker llk_AAAA"); // still failing
      now += 0.1;
    }
    expect(throttle.retryAfter("attacker llk_AAAA")).toBeGreaterThan(0);
    expect(throttle.size).toBeLessThanOrEqual(100_000);
  });

  it("drops expired subjects as time passes, without being asked about them", () => {
    let now = 0;
    const throttle = createFailureThrottle({ windowMs: 1000, now: () => now });
    for (let subject = 0; subject < 1000; subject++) throttle.recordFailure(`old ${subject}`);
    now = 5000;
    throttle.recordFailure("new");
    expect(throttle.size).toBe(1);
  });
});

describe("sessions", () => {
  it("signs in at a cost that does not grow with the number of live sessions", () => {
    const sessions = createSessionStore();
    const batch = () =>
      timed(() => {
        for (let index = 0; index < 2_000; index++) sessions.create(principal(String(index)));
      });
    const first = Math.min(batch(), batch());
    for (let fill = 0; fill < 16; fill++) batch(); // 36,000 sessions live
    const later = Math.min(batch(), batch());
    expect(sessions.size).toBe(40_000);
    // A scan of every session per sign-in makes the later batches ~20 times slower.
    expect(later).toBeLessThan(first * 5 + 20);
  });

  it("holds at most maxSessions, ending the oldest, and drops expired ones", () => {
    let now = 0;
    const sessions = createSessionStore({ maxSessions: 100, ttlMs: 1000, now: () => now });
    const first = sessions.create(principal("1")).token;
    for (let index = 0; index < 150; index++) sessions.create(principal("2"));
    expect(sessions.size).toBe(100);
    expect(sessions.get(first)).toBeUndefined();
    now = 2000;
    sessions.create(principal("3"));
    expect(sessions.size).toBe(1);
  });

  it("ends every session of a revoked key and no other", () => {
    const sessions = createSessionStore();
    const revoked = [sessions.create(principal("7")).token, sessions.create(principal("7")).token];
    const kept = sessions.create(principal("8")).token;
    sessions.endForKey("7");
    for (const token of revoked) expect(sessions.get(token)).toBeUndefined();
    expect(sessions.get(kept)).toEqual(principal("8"));
  });
});
