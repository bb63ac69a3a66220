// The service closes its database only after every handler call is done, even one whose client left.
import { describe, expect, it } from "vitest";
import { createRequestsInFlight } from "../../src/server/requests-in-flight.js";

describe("requests in flight", () => {
  it("drains at once when nothing is under way", async () => {
    const inFlight = createRequestsInFlight();
    await expect(inFlight.drained(10_000)).resolves.toBeUndefined();
  });

  it("waits for every handler call under way, failed ones too, before it drains", async () => {
    const inFlight = createRequestsInFlight();
    const finish: Array<(response: Response) => void> = [];
    const fail: Array<(error: Error) => void> = [];
    const fetch = inFlight.wrap(
      () =>
        new Promise<Response>((resolve, reject) => {
          finish.push(resolve);
          fail.push(reject);
        }),
    );
    const first = fetch(new Request("http://localhost/v1/events"));
    const second = fetch(new Request("http://localhost/v1/traces"));
    let drained = false;
    const draining = inFlight.drained(10_000).then(() => (drained = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(drained).toBe(false);
    finish[0]!(new Response("ok"));
    await expect(first).resolves.toBeInstanceOf(Response);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(drained).toBe(false);
    fail[1]!(new Error("database unavailable"));
    await expect(second).rejects.toThrow("database unavailable");
    await draining;
    expect(drained).toBe(true);
  });

  it("gives up waiting after the timeout", async () => {
    const inFlight = createRequestsInFlight();
    const fetch = inFlight.wrap(() => new Promise<Response>(() => {}));
    void fetch(new Request("http://localhost/"));
    const started = Date.now();
    await inFlight.drained(50);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
  });
});
