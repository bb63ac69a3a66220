// An exported event read back for import: the caller's fields through the one input parser, the
// priced columns kept as written, and nothing guessed for a field an export always carries.
import { describe, expect, it } from "vitest";
import {
  eventExportFields,
  eventInputFields,
  parseStoredEvent,
  pricedEventFields,
  tokenFields,
} from "../../src/events/index.js";

const exported = {
  id: "17",
  eventId: "0b7e6a52-3f55-4a53-9d7e-1f6f1f8f2b11",
  createdAt: "2026-11-30T10:00:00.123456+02:00",
  ingestedAt: "2026-11-30T08:00:01.5Z",
  repo: "acme/api",
  taskType: "review",
  model: "claude-sonnet-4-5@20250929",
  resolvedModel: "claude-sonnet-4-5",
  provider: "vertex",
  sdk: "agent",
  inputTokens: 10,
  outputTokens: 5,
  cacheReadTokens: 1,
  cacheWriteTokens: 2,
  cacheWrite1hTokens: 3,
  reasoningTokens: 4,
  estimatedCostUsd: "0.000123456789",
  providerCostUsd: "0.5",
  costSource: "provider",
  priced: true,
  pricingVersion: "2026-11-01",
  durationMs: 12,
  usedFallback: false,
  fallbackReason: null,
  error: null,
  deliveryId: null,
  userId: "u",
  sessionId: null,
  traceId: null,
  environment: "prod",
  metadata: { team: "core" },
  serviceTier: "batch",
  webSearchRequests: 2,
  spanId: "00f067aa0ba902b7",
  audioInputTokens: 6,
  audioOutputTokens: 7,
  imageOutputTokens: 8,
  listCostUsd: "0.000154320986",
  cacheReadAudioTokens: 9,
};

const reasonOf = (value: unknown) => {
  const parsed = parseStoredEvent(value);
  return parsed.ok ? "ok" : parsed.reason;
};

describe("parseStoredEvent", () => {
  it("keeps every priced column, the time and the first ingest time as written", () => {
    const parsed = parseStoredEvent(exported);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const { id: _id, ...rest } = exported;
    // The provider alone is not kept as written: the event model stores its canonical slug.
    expect(parsed.record).toEqual({ ...rest, provider: "google-vertex" });
  });

  it("takes the store's defaults for priced columns an older export left out", () => {
    const { costSource: _source, priced: _priced, pricingVersion: _version, ...older } = exported;
    const parsed = parseStoredEvent(older);
    expect(parsed.ok && parsed.record).toMatchObject({
      costSource: "catalog",
      priced: true,
      pricingVersion: null,
    });
    // Exports made before list prices were kept (migration 0014): none, as in the exporting ledger.
    const { listCostUsd: _list, ...beforeListPrices } = exported;
    const earlier = parseStoredEvent(beforeListPrices);
    expect(earlier.ok && earlier.record.listCostUsd).toBeNull();
  });

  it("refuses a line without a field every export carries, instead of guessing it", () => {
    for (const field of ["eventId", "createdAt", "provider", "sdk", "estimatedCostUsd"]) {
      const without: Record<string, unknown> = { ...exported };
      delete without[field];
      expect(reasonOf(without)).toBe(`${field} is required`);
    }
  });

  it("names the priced column that is wrong", () => {
    expect(reasonOf({ ...exported, costSource: "guess" })).toBe(
      "costSource must be one of catalog, provider, none",
    );
    expect(reasonOf({ ...exported, priced: "yes" })).toBe("priced must be a boolean, got string");
    expect(reasonOf({ ...exported, estimatedCostUsd: -1 })).toBe(
      "estimatedCostUsd must be a dollar amount from 0 to 100000000, got -1",
    );
    expect(reasonOf({ ...exported, listCostUsd: "=1+1" })).toMatch(
      /^listCostUsd must be a number or a decimal string/,
    );
    expect(reasonOf({ ...exported, resolvedModel: "m\u0000" })).toBe(
      "resolvedModel contains a NUL character",
    );
    expect(reasonOf({ ...exported, ingestedAt: "yesterday" })).toBe(
      'ingestedAt must be an ISO 8601 time such as "2026-12-03T10:15:00Z"',
    );
  });

  it("refuses what the input parser refuses, with its reason", () => {
    expect(reasonOf([exported])).toBe("the event must be an object, got an array");
    expect(reasonOf({ ...exported, inputTokens: 1e12 })).toBe(
      "inputTokens must be a whole number of tokens, at most 1000000000 per call, got 1000000000000",
    );
  });
});

describe("the event's field lists", () => {
  it("split the export's columns into the caller's fields and the ledger's, in file order", () => {
    expect([...eventInputFields, ...pricedEventFields].sort()).toEqual([...eventExportFields].sort());
    expect(eventInputFields).toHaveLength(31);
    expect(eventExportFields.filter((field) => (tokenFields as readonly string[]).includes(field))).toEqual([
      ...tokenFields,
    ]);
  });
});
