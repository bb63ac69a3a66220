// The bill drift alert on every engine: a provider whose bill and estimate differ by more than the
// percent over the last days its bill covers fires once per period, through the outbox, to a real local
// receiver; within the percent, below the dollar floor or on days not billed yet, nothing fires. The
// service runs the rule on its alert schedule when `serve --bill-drift-percent` is given.
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { replaceBill, type BillLine } from "../../src/bills/index.js";
import { addAlertTarget, deliverAlerts, evaluateBillDrift } from "../../src/budgets/index.js";
import { startServer } from "../../src/server/start-server.js";
import { migrateUp } from "../../src/store/migrator.js";
import { runLedger } from "../support/cli.js";
import { describeEachEngine } from "../support/databases.js";
import { silentLogger } from "../support/loggers.js";
import { insertEvents, testEvent } from "../query/support/cost-events.js";
import { emptyTables } from "../query/support/rollup-drift.js";
import { startWebhookReceiver, type WebhookReceiver } from "./support/webhook-receiver.js";

const dayMs = 86_400_000;
const allowPrivate = { allowPrivateWebhooks: true };

/** `YYYY-MM-DD` of the day `offset` days after `first`. */
const dayAfter = (first: string, offset: number) =>
  new Date(Date.parse(`${first}T00:00:00Z`) + offset * dayMs).toISOString().slice(0, 10);

describeEachEngine("bill drift alerts", (context) => {
  const store = () => ({ database: context.database(), schema: context.schema });
  let receiver: WebhookReceiver;

  /** One event a day at noon for `provider`, each of `amount` dollars. */
  const spendDaily = (provider: string, first: string, count: number, amount: string) =>
    insertEvents(
      context.database(),
      context.schema,
      Array.from({ length: count }, (_, index) =>
        testEvent({
          provider,
          model: "gpt-4o-mini",
          resolvedModel: "gpt-4o-mini",
          createdAt: new Date(`${dayAfter(first, index)}T12:00:00Z`),
          estimatedCostUsd: amount,
        }),
      ),
    );
  /** A provider's API bill: one line per day, replacing what was stored for those days. */
  const bill = (provider: string, amounts: Record<string, string>) => {
    const lines: BillLine[] = Object.entries(amounts).map(([day, amount]) => ({
      provider,
      day,
      lineItem: "gpt-4o-mini, input",
      model: "gpt-4o-mini",
      account: null,
      amount,
      currency: "USD",
    }));
    return replaceBill(context.database(), context.schema, {
      provider,
      source: "api",
      days: Object.keys(amounts),
      lines,
    });
  };
  const bodies = () =>
    receiver.received.map((request) => JSON.parse(request.body) as Record<string, unknown>);

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
        `TRUNCATE "${context.schema}".llm_ledger_alert_outbox, "${context.schema}".llm_ledger_alert_claims, "${context.schema}".llm_ledger_alert_targets, "${context.schema}".llm_ledger_bills`,
      );
    receiver.received.length = 0;
    await addAlertTarget(store(), { target: `webhook:${receiver.url}/drift` });
  });

  it("fires once per provider and period when the gap over the last billed days exceeds the percent", async () => {
    // The bill covers Nov 1–8; the 9th is not billed yet (its calls must not count), today is the 10th.
    const at = new Date("2026-11-10T08:00:00Z");
    await spendDaily("openai", "2026-11-01", 9, "10");
    await spendDaily("openai", "2026-11-09", 1, "990"); // $1,000 on the 9th in all
    const openaiDays = Object.fromEntries(
      Array.from({ length: 8 }, (_, index) => [dayAfter("2026-11-01", index), "11"]),
    );
    openaiDays["2026-11-01"] = "500"; // outside the 7-day window (Nov 2–8)
    await bill("openai", openaiDays);
    // Anthropic: 5 % over, within the 10 % allowed.
    await spendDaily("anthropic", "2026-11-02", 7, "10");
    await bill(
      "anthropic",
      Object.fromEntries(Array.from({ length: 7 }, (_, index) => [dayAfter("2026-11-02", index), "10.5"])),
    );
    // Mistral: 100 % over, but $0.70 in all, below the $1 floor.
    await spendDaily("mistral", "2026-11-02", 7, "0.1");
    await bill(
      "mistral",
      Object.fromEntries(Array.from({ length: 7 }, (_, index) => [dayAfter("2026-11-02", index), "0.2"])),
    );
    // Vertex has calls but no bill: never compared.
    await spendDaily("google-vertex", "2026-11-02", 7, "50");

    // Exactly 10 %: $77 billed against $70 is not more than the percent.
    expect(await evaluateBillDrift(store(), { percent: "10", at })).toEqual({
      providers: 3,
      drifts: 0,
      queued: 0,
    });
    // One cent more on one day: 10.01 %.
    await bill("openai", { "2026-11-05": "11.01" });
    expect(await evaluateBillDrift(store(), { percent: "10", at })).toEqual({
      providers: 3,
      drifts: 1,
      queued: 1,
    });
    // Claimed: neither the next cycle nor the next day (same bill, same period) fires again.
    expect(await evaluateBillDrift(store(), { percent: "10", at })).toMatchObject({ drifts: 0 });
    expect(
      await evaluateBillDrift(store(), { percent: "10", at: new Date("2026-11-11T08:00:00Z") }),
    ).toMatchObject({ drifts: 0, queued: 0 });

    expect(await deliverAlerts(store(), allowPrivate)).toMatchObject({ delivered: 1 });
    const [body] = bodies();
    expect(body).toEqual({
      type: "bill_drift",
      provider: "openai",
      window: { from: "2026-11-02", to: "2026-11-08", days: 7 },
      estimatedUsd: "70",
      billedUsd: "77.01",
      differenceUsd: "7.01",
      differencePercent: "10.01",
      thresholdPercent: "10",
      text: "llm-ledger: openai billed $77.01 against an estimate of $70 from 2026-11-02 to 2026-11-08 (7 UTC days): a difference of $7.01 (10.01%), beyond the 10% allowed",
      dashboardUrl: null,
      firedAt: at.toISOString(),
    });
    expect(receiver.received[0]!.path).toBe("/drift");
  });

  it("fires when the bill runs below the estimate too, and on a bill without any estimate", async () => {
    const at = new Date("2026-11-10T08:00:00Z");
    await spendDaily("openai", "2026-11-06", 3, "10");
    await bill("openai", { "2026-11-06": "5", "2026-11-07": "5", "2026-11-08": "5" });
    await bill("anthropic", { "2026-11-08": "2.5" });
    expect(await evaluateBillDrift(store(), { percent: "25", days: 3, at })).toMatchObject({ drifts: 2 });
    await deliverAlerts(store(), allowPrivate);
    expect(bodies()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ provider: "openai", differenceUsd: "-15", differencePercent: "-50" }),
        expect.objectContaining({ provider: "anthropic", estimatedUsd: "0", differencePercent: null }),
      ]),
    );
  });

  it("refuses a rule it cannot apply, naming the option", async () => {
    for (const [options, message] of [
      [{ percent: "ten" }, /^percent: expected a positive decimal/],
      [{ percent: "0" }, /^percent: expected a positive decimal/],
      [{ percent: "10", days: 0 }, /^days: expected a whole number from 1 to 90/],
      [{ percent: "10", minDifferenceUsd: "-1" }, /^minDifferenceUsd: expected dollars/],
    ] as const) {
      await expect(evaluateBillDrift(store(), options)).rejects.toThrow(message);
    }
  });

  it("runs on the service's alert schedule with serve's options", async () => {
    const today = Math.floor(Date.now() / dayMs) * dayMs;
    const yesterday = new Date(today - dayMs).toISOString().slice(0, 10);
    await spendDaily("openai", yesterday, 1, "4");
    await bill("openai", { [yesterday]: "6" });
    const server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      logger: silentLogger,
      alerts: { intervalMs: 100, allowPrivateWebhooks: true, billDrift: { percent: "20", days: 2 } },
    });
    try {
      await expect.poll(() => bodies().length, { timeout: 10_000 }).toBe(1);
      expect(bodies()[0]).toMatchObject({
        type: "bill_drift",
        provider: "openai",
        window: { to: yesterday, days: 2 },
        differencePercent: "50",
        dashboardUrl: `${server.url}/`,
      });
    } finally {
      await server.close();
    }
  });
});

it("serve takes the drift rule's options, and refuses them without a percent or with a bad value", async () => {
  const cases: Array<[string[], RegExp]> = [
    [
      ["--bill-drift-days", "7"],
      /--bill-drift-days and --bill-drift-min-usd apply with --bill-drift-percent/,
    ],
    [["--bill-drift-percent", "0"], /--bill-drift-percent: expected a positive decimal/],
    [
      ["--bill-drift-percent", "10", "--bill-drift-days", "a week"],
      /--bill-drift-days: expected a whole number/,
    ],
    [["--bill-drift-percent", "10", "--bill-drift-min-usd", "1e3"], /--bill-drift-min-usd: expected dollars/],
  ];
  for (const [flags, message] of cases) {
    const run = await runLedger(["serve", "--database-url", "memory:", "--port", "0", ...flags]);
    expect(run.exitCode, flags.join(" ")).toBe(2);
    expect(run.stderr, flags.join(" ")).toMatch(message);
  }
});
