// Budget alerts end to end on every engine: once-per-period claims, the outbox, signed deliveries to a
// real local receiver, retries and permanent failures, Slack's format, the history.
import { createHmac } from "node:crypto";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import {
  addAlertTarget,
  createBudget,
  deliverAlerts,
  evaluateBudgetAlerts,
  listAlerts,
  listAlertTargets,
  removeAlertTarget,
  sendTestAlert,
  type BudgetAlertBody,
} from "../../src/budgets/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { insertEvents, testEvent } from "../query/support/cost-events.js";
import { emptyTables } from "../query/support/rollup-drift.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

const allowPrivate = { allowPrivateWebhooks: true };

describeEachEngine("budget alerts", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  let receiver: WebhookReceiver;
  const spend = (
    createdAt: string,
    estimatedCostUsd: string,
    overrides: Parameters<typeof testEvent>[0] = {},
  ) =>
    insertEvents(context.database(), context.schema, [
      testEvent({ createdAt: new Date(createdAt), estimatedCostUsd, ...overrides }),
    ]);
  const due = () =>
    context
      .database()
      .exec(
        `UPDATE "${context.schema}".llm_ledger_alert_outbox SET next_attempt_at = now() WHERE state = 'pending'`,
      );

  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
    receiver = await startWebhookReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
  });
  beforeEach(async () => {
    await emptyTables(context.database(), context.schema);
    await context
      .database()
      .exec(
        `TRUNCATE "${context.schema}".llm_ledger_alert_outbox, "${context.schema}".llm_ledger_alert_claims, "${context.schema}".llm_ledger_alert_targets, "${context.schema}".llm_ledger_budgets`,
      );
    receiver.received.length = 0;
    receiver.answers = [];
    receiver.hang = false;
  });

  it("fires each crossed threshold once per period, signed, with an idempotency key, to the default targets", async () => {
    const { secret } = await addAlertTarget(store(), { target: `webhook:${receiver.url}/hook` });
    expect(secret).toMatch(/^whsec_/);
    await createBudget(store(), { name: "daily", period: "day", amountUsd: "10", scope: { repo: ["api"] } });
    await spend("2024-03-15T08:00:00Z", "8.5", { repo: "api", model: "m-a", resolvedModel: "m-a" });
    await spend("2024-03-15T08:00:00Z", "100", { repo: "web" });
    const at = new Date("2024-03-15T12:00:00Z");

    expect(await evaluateBudgetAlerts(store(), { at, dashboardUrl: "https://ledger.example.com" })).toEqual({
      budgets: 1,
      fired: 2,
      queued: 2,
    });
    // Again, and from a second evaluator at once: nothing new.
    const again = await Promise.all([
      evaluateBudgetAlerts(store(), { at }),
      evaluateBudgetAlerts(store(), { at }),
    ]);
    expect(again.map((evaluation) => evaluation.fired)).toEqual([0, 0]);

    expect(await deliverAlerts(store(), allowPrivate)).toEqual({ delivered: 2, retrying: 0, failed: 0 });
    expect(receiver.received).toHaveLength(2);
    const bodies = receiver.received.map((request) => {
      expect(request.path).toBe("/hook");
      const signature = `sha256=${createHmac("sha256", secret).update(request.body).digest("hex")}`;
      expect(request.headers["x-llm-ledger-signature"]).toBe(signature);
      expect(request.headers["idempotency-key"]).toBe(request.headers["x-llm-ledger-idempotency-key"]);
      return JSON.parse(request.body) as BudgetAlertBody;
    });
    expect(new Set(receiver.received.map((request) => request.headers["idempotency-key"])).size).toBe(2);
    expect(bodies.map((body) => body.threshold).sort()).toEqual([50, 80]);
    expect(bodies[0]).toMatchObject({
      type: "budget.threshold",
      budget: { name: "daily" },
      scope: { repo: ["api"] },
      period: {
        period: "day",
        timeZone: "UTC",
        start: "2024-03-15T00:00:00.000Z",
        end: "2024-03-16T00:00:00.000Z",
      },
      spentUsd: "8.5",
      amountUsd: "10",
      percent: 85,
      topContributors: {
        model: [{ value: "m-a", costUsd: "8.5" }],
        repo: [{ value: "api", costUsd: "8.5" }],
      },
      dashboardUrl: "https://ledger.example.com",
      firedAt: "2024-03-15T12:00:00.000Z",
    });
    expect(await deliverAlerts(store(), allowPrivate)).toEqual({ delivered: 0, retrying: 0, failed: 0 });

    // Crossing 100 % fires the last threshold only; the next day is a new period.
    await spend("2024-03-15T09:00:00Z", "2", { repo: "api" });
    expect((await evaluateBudgetAlerts(store(), { at })).fired).toBe(1);
    await spend("2024-03-16T09:00:00Z", "6", { repo: "api" });
    expect((await evaluateBudgetAlerts(store(), { at: new Date("2024-03-16T12:00:00Z") })).fired).toBe(1);
    await deliverAlerts(store(), allowPrivate);
    const history = await listAlerts(store());
    expect(history.map((delivery) => [delivery.budget, delivery.threshold, delivery.state])).toEqual([
      ["daily", 50, "delivered"],
      ["daily", 100, "delivered"],
      ["daily", 80, "delivered"],
      ["daily", 50, "delivered"],
    ]);
  });

  it("retries 5xx, 429, redirects and timeouts with the same key, and fails other 4xx at once", async () => {
    await addAlertTarget(store(), { target: `webhook:${receiver.url}/flaky` });
    await createBudget(store(), { name: "flaky", period: "day", amountUsd: "1", thresholds: [100] });
    await spend("2024-03-15T08:00:00Z", "1");
    await evaluateBudgetAlerts(store(), { at: new Date("2024-03-15T12:00:00Z") });

    receiver.answers = [500, 429, 302, 408];
    for (let attempt = 1; attempt <= 4; attempt++) {
      expect(await deliverAlerts(store(), allowPrivate)).toEqual({ delivered: 0, retrying: 1, failed: 0 });
      expect(await deliverAlerts(store(), allowPrivate)).toEqual({ delivered: 0, retrying: 0, failed: 0 }); // not due yet
      await due();
    }
    receiver.hang = true;
    expect(await deliverAlerts(store(), { ...allowPrivate, timeoutMs: 200 })).toEqual({
      delivered: 0,
      retrying: 1,
      failed: 0,
    });
    receiver.hang = false;
    await due();
    expect(await deliverAlerts(store(), allowPrivate)).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(new Set(receiver.received.map((request) => request.headers["idempotency-key"])).size).toBe(1);
    expect(receiver.received).toHaveLength(6);
    const [delivery] = await listAlerts(store());
    expect(delivery).toMatchObject({ state: "delivered", attempts: 6, lastStatus: 200, lastError: null });

    // A dead Slack webhook answers 410: failed at once, never retried.
    await addAlertTarget(store(), { target: `webhook:${receiver.url}/gone` });
    await createBudget(store(), {
      name: "gone",
      period: "day",
      amountUsd: "1",
      thresholds: [50],
      notify: [`webhook:${receiver.url}/gone`],
    });
    await evaluateBudgetAlerts(store(), { at: new Date("2024-03-15T12:00:00Z") });
    receiver.answers = [410];
    expect(await deliverAlerts(store(), allowPrivate)).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    expect((await listAlerts(store()))[0]).toMatchObject({
      budget: "gone",
      state: "failed",
      attempts: 1,
      lastStatus: 410,
      lastError: "the receiver answered 410",
    });
  });

  it("refuses loopback receivers unless private webhooks are allowed, and speaks Slack's format to Slack targets", async () => {
    await addAlertTarget(store(), {
      target: `slack:${receiver.url}/services/T/B/x`,
      secret: "a-secret-of-16-chars",
    });
    await createBudget(store(), { name: "<team> & co", period: "month", amountUsd: "2", thresholds: [50] });
    await spend("2024-03-15T08:00:00Z", "1.5");
    await evaluateBudgetAlerts(store(), { at: new Date("2024-03-15T12:00:00Z") });
    expect(await deliverAlerts(store())).toEqual({ delivered: 0, retrying: 0, failed: 1 });
    expect(receiver.received).toHaveLength(0);
    expect((await listAlerts(store()))[0]!.lastError).toMatch(
      /^127\.0\.0\.1:\d+: refused, the host resolves to the internal address 127\.0\.0\.1 \(allow it with --allow-private-webhooks\)$/,
    );

    const test = await sendTestAlert(store(), `slack:${receiver.url}/services/T/B/x`, allowPrivate);
    expect(test).toEqual({ state: "delivered", status: 200, error: null });
    expect(JSON.parse(receiver.received[0]!.body)).toEqual({
      text: expect.stringContaining("test message") as string,
    });

    // Fire it again, now that private receivers are allowed.
    await context
      .database()
      .exec(
        `TRUNCATE "${context.schema}".llm_ledger_alert_claims, "${context.schema}".llm_ledger_alert_outbox`,
      );
    await evaluateBudgetAlerts(store(), { at: new Date("2024-03-15T12:00:00Z") });
    await deliverAlerts(store(), allowPrivate);
    const slack = JSON.parse(receiver.received[1]!.body) as { text: string };
    expect(Object.keys(slack)).toEqual(["text"]);
    expect(slack.text).toContain("*llm-ledger budget &lt;team&gt; &amp; co: 50% reached*");
    expect(slack.text).toContain("Spent $1.5 of $2 (75%)");
  });

  it("fires per value of a per budget, to the budget's own targets, and manages targets", async () => {
    const own = `webhook:${receiver.url}/own`;
    await addAlertTarget(store(), { target: `webhook:${receiver.url}/default` });
    await createBudget(store(), {
      name: "per-user",
      per: "userId",
      period: "day",
      amountUsd: "1",
      thresholds: [100],
      notify: [own],
    });
    await spend("2024-03-15T08:00:00Z", "1", { userId: "u1" });
    await spend("2024-03-15T08:00:00Z", "2", { userId: "u2" });
    await spend("2024-03-15T08:00:00Z", "0.5", { userId: "u3" });
    expect((await evaluateBudgetAlerts(store(), { at: new Date("2024-03-15T12:00:00Z") })).fired).toBe(2);
    await deliverAlerts(store(), allowPrivate);
    expect(receiver.received.map((request) => request.path)).toEqual(["/own", "/own"]);
    expect(
      receiver.received.map((request) => (JSON.parse(request.body) as BudgetAlertBody).value).sort(),
    ).toEqual(["u1", "u2"]);

    // The budget's target was added (not as a default) when it first fired.
    const targets = await listAlertTargets(store());
    expect(
      targets.map((target) => [target.kind, target.url.replace(receiver.url, ""), target.isDefault]),
    ).toEqual([
      ["webhook", "/default", true],
      ["webhook", "/own", false],
    ]);
    expect(await removeAlertTarget(store(), targets[0]!.id)).toMatchObject({
      url: `${receiver.url}/default`,
    });
    expect(await removeAlertTarget(store(), own)).toMatchObject({ url: `${receiver.url}/own` });
    expect(await removeAlertTarget(store(), own)).toBeUndefined();
    expect(await listAlerts(store())).toEqual([]);
  });
});
