// Bill files (CSV and JSONL, docs/bills.md): row-by-row checks with line numbers, all-or-nothing,
// currencies kept as given, and replacement by provider, day and source on every engine.
import { readFileSync } from "node:fs";
import { beforeAll, beforeEach, expect, it } from "vitest";
import { listBillLines, parseBillFile, replaceBill } from "../../src/bills/index.js";
import { normalizeProvider, resolveModel } from "../../src/pricing/index.js";
import { migrateUp } from "../../src/store/migrator.js";
import { describeEachEngine } from "../support/databases.js";
import { hostileValues, seededRandom } from "../support/hostile-text.js";

const options = (name: string, provider = "aws-bedrock") => ({
  name,
  provider,
  resolveModel: (model: string, from: string) => resolveModel(model, from)?.model,
  normalizeProvider: (text: string) => normalizeProvider(text),
});
const csv = readFileSync(new URL("../fixtures/bills/bill.csv", import.meta.url), "utf8");

it("reads the documented CSV layout: quoted cells, currencies upper-cased, models resolved", () => {
  const bill = parseBillFile(csv, options("bill.csv"));
  expect(bill).toEqual({
    provider: "aws-bedrock",
    source: "file",
    days: [],
    lines: [
      {
        provider: "aws-bedrock",
        day: "2026-11-01",
        lineItem: "Claude Sonnet 4.5, input",
        model: "claude-sonnet-4-5",
        account: null,
        amount: "12.5",
        currency: "USD",
      },
      {
        provider: "aws-bedrock",
        day: "2026-11-01",
        lineItem: 'Support, "business"',
        model: null,
        account: null,
        amount: "3",
        currency: "USD",
      },
      {
        provider: "aws-bedrock",
        day: "2026-11-02",
        lineItem: "Claude Sonnet 4.5 output",
        model: "claude-sonnet-4-5",
        account: null,
        amount: "7.25",
        currency: "EUR",
      },
    ],
  });
});

it("reads JSONL with amounts as decimal strings, and the same CSV as JSONL gives the same bill", () => {
  const jsonl = [
    {
      date: "2026-11-01",
      provider: "bedrock",
      lineItem: "Claude Sonnet 4.5, input",
      model: "claude-sonnet-4-5",
      amount: "12.50",
      currency: "USD",
    },
    { date: "2026-11-01", line_item: 'Support, "business"', model: null, amount: "3.000", currency: "usd" },
    {
      date: "2026-11-02",
      lineItem: "Claude Sonnet 4.5 output",
      model: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
      amount: "7.25",
      currency: "EUR",
    },
  ]
    .map((line) => JSON.stringify(line))
    .join("\n");
  expect(parseBillFile(jsonl, options("bill.jsonl"))).toEqual(parseBillFile(csv, options("bill.csv")));
});

it("refuses a file with bad rows as a whole, naming every bad line", () => {
  const bad = [
    "date,line_item,model,amount,currency",
    "2026-11-01,ok,,1.5,USD",
    "2026-02-30,bad day,,1,USD",
    "2026-11-01,,,1,USD",
    "2026-11-01,sign,,$1.50,USD",
    "2026-11-01,money,,1.5,dollars",
    '2026-11-01,"multi',
    'line",,1e3,USD',
    "2026-11-01,short",
  ].join("\n");
  const error = (() => {
    try {
      parseBillFile(bad, options("bad.csv"));
    } catch (caught) {
      return caught as Error & { code: string };
    }
  })();
  expect(error?.code).toBe("E_BILLS_FILE");
  expect(error?.message.split("\n")).toEqual([
    "6 bad row(s); nothing was imported:",
    "bad.csv:3: date must be a UTC day as YYYY-MM-DD, got '2026-02-30'",
    "bad.csv:4: needs a line_item or a model",
    "bad.csv:5: amount must be a plain decimal such as 12.34 (no currency sign, separator or exponent), got '$1.50'",
    "bad.csv:6: currency must be a 3-letter ISO code such as USD, got 'dollars'",
    "bad.csv:7: amount must be a plain decimal such as 12.34 (no currency sign, separator or exponent), got '1e3'",
    "bad.csv:9: 2 cells where the header has 5",
  ]);
});

it("names the JSONL problems: numbers for amounts, unknown fields, other providers, not JSON", () => {
  const lines = [
    JSON.stringify({ date: "2026-11-01", lineItem: "x", amount: 1.5, currency: "USD" }),
    JSON.stringify({ date: "2026-11-01", lineItem: "x", amount: "1", currency: "USD", cost: "1" }),
    JSON.stringify({ date: "2026-11-01", provider: "openai", lineItem: "x", amount: "1", currency: "USD" }),
    "{not json",
    "[1]",
  ].join("\n");
  expect(() => parseBillFile(lines, options("bill.jsonl"))).toThrow(
    [
      "5 bad row(s); nothing was imported:",
      'bill.jsonl:1: amount must be a string (a decimal string such as "12.34")',
      "bill.jsonl:2: unknown field 'cost'; the fields are date, provider, lineItem, line_item, model, account, amount, currency",
      "bill.jsonl:3: provider 'openai' is not aws-bedrock (--provider): import one provider's bill per file",
    ].join("\n"),
  );
});

it("refuses unknown columns, an empty file and hostile text without throwing anything but E_BILLS_FILE", () => {
  expect(() => parseBillFile("date,amount,currency,cost\n", options("x.csv"))).toThrow(
    "x.csv:1: unknown column(s) 'cost'; the columns are date, provider, line_item, model, account, amount, currency",
  );
  expect(() => parseBillFile("", options("x.csv"))).toThrow("x.csv:1: the file is empty");
  for (const text of hostileValues(seededRandom(20), 60)) {
    const row = `2026-11-01,${JSON.stringify(text).replace(/^"|"$/g, "")},1,USD`;
    for (const file of [
      `date,line_item,amount,currency\n${row}`,
      text,
      JSON.stringify({ date: text, amount: text, currency: "USD", lineItem: text }),
    ]) {
      try {
        parseBillFile(file, options("h.csv"));
      } catch (error) {
        expect(error).toMatchObject({ code: "E_BILLS_FILE" });
      }
    }
  }
});

describeEachEngine("bill files stored", (context) => {
  beforeAll(async () => {
    await migrateUp(context.database(), { schema: context.schema });
  });
  beforeEach(async () => {
    await context.database().query(`DELETE FROM "${context.schema}".llm_ledger_bills`);
  });

  it("replaces by provider, day and source: the same file twice is the same table, other sources stay", async () => {
    const bill = parseBillFile(csv, options("bill.csv"));
    const apiLine = { ...bill.lines[0]!, lineItem: "from the api", amount: "1" };
    await replaceBill(context.database(), context.schema, {
      provider: "aws-bedrock",
      source: "api",
      days: [],
      lines: [apiLine],
    });
    expect(await replaceBill(context.database(), context.schema, bill)).toEqual({ removed: 0, written: 3 });
    const first = await listBillLines(context.database(), context.schema);
    expect(await replaceBill(context.database(), context.schema, bill)).toEqual({ removed: 3, written: 3 });
    expect(await listBillLines(context.database(), context.schema)).toEqual(first);
    expect(first.map((line) => [line.source, line.day, line.amount, line.currency])).toEqual([
      ["api", "2026-11-01", "1", "USD"],
      ["file", "2026-11-01", "12.5", "USD"],
      ["file", "2026-11-01", "3", "USD"],
      ["file", "2026-11-02", "7.25", "EUR"],
    ]);
    // A file of one day replaces that day only.
    const oneDay = { ...bill, lines: [{ ...bill.lines[2]!, amount: "8" }] };
    await replaceBill(context.database(), context.schema, oneDay);
    const amounts = (await listBillLines(context.database(), context.schema)).map((line) => line.amount);
    expect(amounts).toEqual(["1", "12.5", "3", "8"]);
  });
});
