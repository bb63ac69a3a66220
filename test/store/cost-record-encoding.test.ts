import { beforeAll, describe, expect, it } from "vitest";
import type { NewLlmCostRecord } from "../../src/store/cost-record.js";
import {
  columnArrays,
  copyField,
  copyLine,
  copyText,
  recordValues,
  writeColumns,
} from "../../src/store/cost-record-encoding.js";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { describeEachEngine } from "../support/databases.js";
import { costRecord } from "../support/records.js";

// `copyLine` builds COPY text field by field for speed; `recordValues` is the plain statement of what
// each column holds. These tests hold the fast encoder to the plain one (escaped here character by
// character, independently of the implementation) and to what Postgres reads back.

/** COPY text-format escaping, one character at a time (the reference for `copyField`). */
function referenceEscape(value: string | null): string {
  if (value === null) return "\\N";
  let out = "";
  for (const character of value) {
    if (character === "\\") out += "\\\\";
    else if (character === "\n") out += "\\n";
    else if (character === "\r") out += "\\r";
    else if (character === "\t") out += "\\t";
    else out += character;
  }
  return out;
}

const referenceLine = (record: NewLlmCostRecord) =>
  recordValues(record).map(referenceEscape).join("\t") + "\n";

const awkward = [
  "back\\slash",
  "\\N",
  "tab\there",
  "new\nline",
  "carriage\rreturn",
  "crlf\r\n",
  "\\\t\n\r all four",
  "trailing backslash\\",
  `quotes "double" and 'single'`,
  "unicode ✓ é 中文 🙂 \u2028 \u00a0",
  "",
  " ",
  "comma,semicolon;pipe|",
  "\u0001\u001f control",
];

const edgeRecords: NewLlmCostRecord[] = [
  costRecord(),
  // Every optional field absent or null.
  costRecord({
    resolvedModel: null,
    providerCostUsd: null,
    pricingVersion: null,
    durationMs: null,
    deliveryId: null,
    fallbackReason: null,
    error: null,
    userId: null,
    sessionId: null,
    traceId: null,
    environment: null,
    metadata: null,
  }),
  costRecord({
    createdAt: new Date("2030-12-31T23:59:59.999Z"),
    cacheReadTokens: 0,
    cacheWriteTokens: 1,
    cacheWrite1hTokens: 1_000_000_000,
    reasoningTokens: 7,
    estimatedCostUsd: 1e-7,
    providerCostUsd: 0.1,
    costSource: "provider",
    priced: false,
    pricingVersion: "2025-06-01+overrides.abc",
    durationMs: 0,
    usedFallback: true,
  }),
  costRecord({ estimatedCostUsd: 12345678.5, providerCostUsd: "0.000000000001", durationMs: 2_147_483_647 }),
  costRecord({
    metadata: {
      quote: 'say "hi"',
      backslash: "C:\\path\\file",
      lines: "a\nb\r\nc\td",
      unicode: "✓ 🙂 \u2028",
      nested: { list: [1, "two", null, true], empty: {} },
    },
  }),
  ...awkward.map((text, index) =>
    costRecord({
      repo: `repo ${text}`,
      taskType: text || "task",
      model: `model-${text}`,
      resolvedModel: text,
      provider: `provider${text}`,
      deliveryId: text,
      fallbackReason: text,
      error: text,
      userId: text,
      sessionId: text,
      traceId: text,
      environment: text,
      pricingVersion: text,
      createdAt: `2025-06-01T12:00:${String(index).padStart(2, "0")}.000Z`,
      metadata: { text },
    }),
  ),
];

describe("COPY text encoding", () => {
  it("escapes backslash, newline, carriage return and tab, and nothing else", () => {
    for (const text of awkward) expect(copyField(text)).toBe(referenceEscape(text));
    expect(copyField("a\\b\tc\nd\re")).toBe("a\\\\b\\tc\\nd\\re");
    expect(copyField("\\N")).toBe("\\\\N");
    expect(copyField(null)).toBe("\\N");
    expect(copyField(undefined)).toBe("\\N");
    expect(copyField("plain")).toBe("plain");
  });

  it("writes each record as the escaped recordValues joined by tabs, one line per record", () => {
    for (const each of edgeRecords) expect(copyLine(each)).toBe(referenceLine(each));
    expect(copyText(edgeRecords)).toBe(edgeRecords.map(referenceLine).join(""));
    expect(copyText([])).toBe("");
  });

  it("writes every column exactly once per line, however awkward the text", () => {
    for (const each of edgeRecords) {
      const line = copyLine(each);
      expect(line.endsWith("\n")).toBe(true);
      // Escaped text holds no raw tab or newline: the separators are all there is.
      expect(line.slice(0, -1).split("\t")).toHaveLength(writeColumns.length);
      expect(line.slice(0, -1)).not.toMatch(/[\n\r]/);
    }
  });

  it("writes absent and null values as \\N, absent counts as 0, booleans as t/f, money without exponents", () => {
    const fields = copyLine(
      costRecord({ estimatedCostUsd: 1e-7, providerCostUsd: 2.5e-10, priced: false, usedFallback: true }),
    )
      .slice(0, -1)
      .split("\t");
    const byName = Object.fromEntries(writeColumns.map(([name], index) => [name, fields[index]]));
    expect(byName).toMatchObject({
      delivery_id: "\\N",
      resolved_model: "\\N",
      cache_read_tokens: "0",
      cache_write_1h_tokens: "0",
      estimated_cost_usd: "0.0000001",
      provider_cost_usd: "0.00000000025",
      cost_source: "catalog",
      priced: "f",
      pricing_version: "\\N",
      duration_ms: "\\N",
      used_fallback: "t",
      metadata: "\\N",
    });
  });

  it("escapes values of the wrong type from untyped callers rather than letting them shift columns", () => {
    const hostile = costRecord({
      inputTokens: "1\t2\n3" as unknown as number,
      durationMs: "4\\5" as unknown as number,
    });
    expect(copyLine(hostile)).toBe(referenceLine(hostile));
    expect(copyLine(hostile).slice(0, -1).split("\t")).toHaveLength(writeColumns.length);
  });

  it("gives unnest the same values as COPY, column by column", () => {
    const arrays = columnArrays(edgeRecords);
    expect(arrays).toHaveLength(writeColumns.length);
    edgeRecords.forEach((each, row) => {
      expect(arrays.map((column) => column[row])).toEqual(recordValues(each));
    });
  });
});

describeEachEngine("COPY encoding round trip", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });

  it("stores every awkward string, null and JSON value exactly as given", async () => {
    expect(await store.recordLlmCosts(edgeRecords)).toMatchObject({ inserted: edgeRecords.length });
    const rows = await store.getLlmCosts(edgeRecords.map((each) => each.eventId));
    expect(rows).toHaveLength(edgeRecords.length);
    for (const each of edgeRecords) {
      const stored = rows.find((row) => row.eventId === each.eventId)!;
      expect(stored).toMatchObject({
        repo: each.repo,
        taskType: each.taskType,
        model: each.model,
        provider: each.provider,
        resolvedModel: each.resolvedModel ?? null,
        deliveryId: each.deliveryId ?? null,
        fallbackReason: each.fallbackReason ?? null,
        error: each.error ?? null,
        userId: each.userId ?? null,
        sessionId: each.sessionId ?? null,
        traceId: each.traceId ?? null,
        environment: each.environment ?? null,
        pricingVersion: each.pricingVersion ?? null,
        metadata: each.metadata ?? null,
        durationMs: each.durationMs ?? null,
        priced: each.priced !== false,
        usedFallback: each.usedFallback === true,
      });
      expect(Number(stored.estimatedCostUsd)).toBe(Number(each.estimatedCostUsd));
    }
  });
});
