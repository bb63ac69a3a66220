// A ledger and a bill that differ on known days by known amounts, shared by the reconciliation tests
// of the library, the CLI, the HTTP API and the dashboard, with the answer written out by hand.
import { replaceBill, type BillLine } from "../../../src/bills/index.js";
import type { BillReconciliation } from "../../../src/query/index.js";
import type { Database } from "../../../src/store/database.js";
import { insertEvents, testEvent } from "../../query/support/cost-events.js";

export const scenarioWindow = { from: "2026-11-01T00:00:00Z", to: "2026-11-04T00:00:00Z" };

function line(
  provider: string,
  day: string,
  lineItem: string,
  model: string | null,
  amount: string,
  currency = "USD",
): BillLine {
  return { provider, day, lineItem, model, account: null, amount, currency };
}

/** Stores the scenario's events and bills in a migrated schema. */
export async function seedReconcileScenario(database: Database, schema: string): Promise<void> {
  const sonnet = {
    model: "claude-sonnet-4-5-20250929",
    resolvedModel: "claude-sonnet-4-5",
    provider: "anthropic",
  };
  await insertEvents(database, schema, [
    testEvent({
      ...sonnet,
      createdAt: new Date("2026-11-01T09:00:00Z"),
      estimatedCostUsd: "0.6",
      providerCostUsd: "0.45",
    }),
    testEvent({ ...sonnet, createdAt: new Date("2026-11-01T23:59:59Z"), estimatedCostUsd: "0.4" }),
    testEvent({ ...sonnet, createdAt: new Date("2026-11-02T00:00:00Z"), estimatedCostUsd: "2" }),
    testEvent({
      model: "gpt-4o-mini",
      resolvedModel: "gpt-4o-mini",
      provider: "openai",
      createdAt: new Date("2026-11-01T12:00:00Z"),
      estimatedCostUsd: "1",
    }),
    // The same model through Bedrock: never compared with Anthropic's own bill.
    testEvent({
      ...sonnet,
      provider: "aws-bedrock",
      createdAt: new Date("2026-11-01T12:00:00Z"),
      estimatedCostUsd: "5",
    }),
    // Outside the window.
    testEvent({ ...sonnet, createdAt: new Date("2026-10-31T23:59:59Z"), estimatedCostUsd: "100" }),
  ]);
  await replaceBill(database, schema, {
    provider: "anthropic",
    source: "api",
    days: ["2026-11-01", "2026-11-02", "2026-11-03"],
    lines: [
      line("anthropic", "2026-11-01", "Claude Sonnet 4.5 Usage - Input Tokens", "claude-sonnet-4-5", "0.9"),
      line("anthropic", "2026-11-01", "Claude Sonnet 4.5 Usage - Output Tokens", "claude-sonnet-4-5", "0.35"),
      line("anthropic", "2026-11-01", "Web Search Usage", null, "0.005"),
      line("anthropic", "2026-11-03", "Claude Haiku 4.5 Usage - Output Tokens", "claude-haiku-4-5", "3"),
      line("anthropic", "2026-10-31", "Claude Sonnet 4.5 Usage - Input Tokens", "claude-sonnet-4-5", "90"),
    ],
  });
  await replaceBill(database, schema, {
    provider: "openai",
    source: "file",
    days: [],
    lines: [
      line("openai", "2026-11-01", "gpt-4o-mini, input", "gpt-4o-mini", "0.5"),
      line("openai", "2026-11-01", "gpt-4o-mini, output", "gpt-4o-mini", "0.4", "EUR"),
    ],
  });
}

/** The answer over `scenarioWindow` by day, provider and model, without rates. */
export const expectedReconciliation: BillReconciliation = {
  rows: [
    {
      day: "2026-11-01",
      provider: "anthropic",
      model: null,
      events: 0,
      estimatedUsd: "0",
      sdkReportedUsd: null,
      billedUsd: "0.005",
      differenceUsd: "0.005",
      differencePercent: null,
      marker: "bill-without-events",
    },
    {
      day: "2026-11-01",
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      events: 2,
      estimatedUsd: "1",
      sdkReportedUsd: "0.45",
      billedUsd: "1.25",
      differenceUsd: "0.25",
      differencePercent: "25",
      marker: null,
    },
    {
      day: "2026-11-01",
      provider: "openai",
      model: "gpt-4o-mini",
      events: 1,
      estimatedUsd: "1",
      sdkReportedUsd: null,
      billedUsd: "0.5",
      differenceUsd: "-0.5",
      differencePercent: "-50",
      marker: null,
    },
    {
      day: "2026-11-02",
      provider: "anthropic",
      model: "claude-sonnet-4-5",
      events: 1,
      estimatedUsd: "2",
      sdkReportedUsd: null,
      billedUsd: null,
      differenceUsd: "-2",
      differencePercent: "-100",
      marker: "events-without-bill",
    },
    {
      day: "2026-11-03",
      provider: "anthropic",
      model: "claude-haiku-4-5",
      events: 0,
      estimatedUsd: "0",
      sdkReportedUsd: null,
      billedUsd: "3",
      differenceUsd: "3",
      differencePercent: null,
      marker: "bill-without-events",
    },
  ],
  totals: { estimatedUsd: "4", billedUsd: "4.755", differenceUsd: "0.755", differencePercent: "18.88" },
  billedProviders: ["anthropic", "openai"],
  missingBills: [{ provider: "aws-bedrock", events: 1, estimatedUsd: "5" }],
  unconverted: [{ currency: "EUR", amount: "0.4" }],
};
