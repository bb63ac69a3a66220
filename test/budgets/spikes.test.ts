// Spikes without any budget: a value far above the median of its same hour on previous days, above a
// dollar floor, and the first appearance of an unpriced model; each fires once, to the default targets.
import { afterAll, beforeAll, expect, it } from "vitest";
import { addAlertTarget, deliverAlerts, evaluateSpikes } from "../../src/budgets/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { insertEvents, testEvent } from "../query/support/cost-events.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

describeEachEngine("spike alerts", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });

  it("flags a repo far above its usual hour, not one within k times it or below the floor; an unpriced model once", async () => {
    const events = [];
    for (let day = 1; day <= 7; day++) {
      const createdAt = new Date(Date.parse("2024-03-15T11:15:00Z") - day * 86_400_000);
      events.push(testEvent({ createdAt, repo: "api", estimatedCostUsd: day === 3 ? "40" : "1" })); // one odd day
      events.push(testEvent({ createdAt, repo: "web", estimatedCostUsd: "2" }));
    }
    const today = new Date("2024-03-15T11:15:00Z");
    events.push(testEvent({ createdAt: today, repo: "api", estimatedCostUsd: "10" })); // > 5 × median 1
    events.push(testEvent({ createdAt: today, repo: "web", estimatedCostUsd: "6" })); // ≤ 5 × 2
    events.push(testEvent({ createdAt: today, repo: "tiny", estimatedCostUsd: "4.99" })); // below $5
    events.push(
      testEvent({
        createdAt: today,
        repo: "tiny",
        model: "mystery-9",
        resolvedModel: null,
        priced: false,
        estimatedCostUsd: "0",
      }),
    );
    await insertEvents(context.database(), context.schema, events);
    await addAlertTarget(store(), { target: `webhook:${receiver.url}/spikes` });

    const at = new Date("2024-03-15T12:30:00Z");
    expect(await evaluateSpikes(store(), { at, dimensions: ["repo"] })).toEqual({
      spikes: 1,
      unpricedModels: 1,
      queued: 2,
    });
    expect(await evaluateSpikes(store(), { at, dimensions: ["repo"] })).toEqual({
      spikes: 0,
      unpricedModels: 0,
      queued: 0,
    });
    expect(await deliverAlerts(store(), { allowPrivateWebhooks: true })).toMatchObject({ delivered: 2 });
    const bodies = receiver.received.map((request) => JSON.parse(request.body) as Record<string, unknown>);
    expect(bodies).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          type: "spike",
          dimension: "repo",
          value: "api",
          hourStart: "2024-03-15T11:00:00.000Z",
          spentUsd: "10",
          baselineUsd: "1",
        }),
        expect.objectContaining({ type: "unpriced_model", model: "mystery-9" }),
      ]),
    );
  });
});
