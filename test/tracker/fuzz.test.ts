import { beforeAll, expect, it } from "vitest";
import { createTelemetryStore, type TelemetryStore } from "../../src/store/telemetry-store.js";
import { createCostTracker } from "../../src/tracker/cost-tracker.js";
import type { TrackResult } from "../../src/tracker/track-types.js";
import { describeEachEngine } from "../support/databases.js";
import { seededRandom as random } from "../support/hostile-text.js";
import { memoryLogger } from "../support/loggers.js";
import { aiCall } from "../support/records.js";

/** A tracker over `store` that flushes quickly and leaves the store open. */
function fuzzTracker(store: TelemetryStore) {
  return createCostTracker({
    telemetryStore: store,
    closeSink: false,
    spoolDir: false,
    logger: memoryLogger(),
    flushIntervalMs: 5,
  });
}

const badValues: Record<string, unknown[]> = {
  repo: ["", "   ", 7, null, {}, "a\u0000b", "x".repeat(600), "\uD800", "acme/\uDC00api", "😀".slice(0, 1)],
  userId: ["u\uDFFF", 5],
  sessionId: ["\uD83D"],
  environment: ["prod\uD800"],
  provider: ["anthropic\uDBFF"],
  taskType: [undefined, false, ""],
  model: [undefined, 0, []],
  inputTokens: [-1, 1.5, Number.NaN, Infinity, 2e9, "100", null, undefined],
  outputTokens: [-5, 0.1, "1", undefined],
  cacheReadTokens: [-1, 3.3, "2"],
  durationMs: [-1, Number.NaN, "5", 3e9],
  createdAt: [
    "yesterday",
    -1,
    new Date(Number.NaN),
    "+275760-01-01T00:00:00Z",
    "March 7",
    "2026-02-30",
    "2026-12-03T10:00:00",
    true,
  ],
  eventId: ["not-a-uuid", 42],
  usedFallback: ["yes", 1],
  metadata: [
    [1, 2],
    "text",
    { deep: { a: { b: { c: { d: { e: { f: { g: { h: { i: 1 } } } } } } } } } },
    { fn: () => 1 },
    { n: Number.NaN },
    JSON.parse(`{"__proto__":1}`) as unknown,
    { note: "\uD800" },
    JSON.parse(`{"\\ud800": 1}`) as unknown,
    { nested: ["fine", { deeper: "x\uDFFFy" }] },
  ],
  costUsd: [-1, "1e3", "abc", Infinity],
  reasoningTokens: [999_999],
};

describeEachEngine("tracker fuzz", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });

  it("never throws on 10,000 generated inputs: rejects every bad one with a reason, writes every good one", async () => {
    const next = random(20_250_601);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const tracker = fuzzTracker(store);
    const good: Promise<TrackResult>[] = [];
    const bad: Promise<TrackResult>[] = [];
    for (let index = 0; index < 10_000; index++) {
      const input: Record<string, unknown> = {
        ...aiCall({
          inputTokens: Math.floor(next() * 100_000),
          outputTokens: Math.floor(next() * 5_000),
          model: pick(["claude-sonnet-4-5", "gpt-4o-mini", "gemini-2.5-flash", "unknown-model-x"]),
          metadata: next() < 0.3 ? { round: index, tags: ["a", "b"] } : undefined,
          error: next() < 0.1 ? "bad\u0000bytes\tand tabs" : undefined,
        }),
      };
      const agent = next() < 0.3;
      if (next() < 0.5) {
        const field = pick(Object.keys(badValues));
        input[field] = pick(badValues[field]!);
        if (field === "costUsd" && !agent) input.providerCostUsd = input.costUsd;
        bad.push(agent ? tracker.trackAgentSdkCall(input as never) : tracker.trackAiSdkCall(input as never));
      } else {
        good.push(agent ? tracker.trackAgentSdkCall(input as never) : tracker.trackAiSdkCall(input as never));
      }
    }
    const badResults = await Promise.all(bad);
    const goodResults = await Promise.all(good);
    await tracker.close();
    for (const result of badResults) {
      expect(result.outcome).toBe("rejected");
      expect(result.reason).toBeTruthy();
    }
    expect(goodResults.every((result) => result.outcome === "stored")).toBe(true);
    const [row] = await store.database.query<{ events: string }>(
      `SELECT count(*) AS events FROM "${context.schema}".llm_cost_events WHERE event_id = ANY($1::uuid[])`,
      [goodResults.map((result) => result.eventId)],
    );
    expect(row?.events).toBe(String(goodResults.length));
    expect(tracker.stats()).toMatchObject({ rejected: bad.length, written: good.length, dropped: 0 });
  });
});

// Text that is hostile but storable (formula starts, newlines, tabs, quotes, surrogate pairs) is kept
// exactly; text that cannot be stored (lone surrogates, NUL) refuses its event and only its event.
const storable = [
  "=SUM(A1:A9)",
  "+1",
  "-2+3",
  "@cmd",
  "a\nb",
  "line\r\nbreak",
  "tab\there",
  'q"uote',
  "😀 é",
];
const unstorable = ["\uD800", "x\uDC00y", "😀".slice(0, 1), "nul\u0000"];
const dimensions = ["repo", "taskType", "model", "provider", "userId", "sessionId", "environment"] as const;

describeEachEngine("tracker fuzz: hostile text", (context) => {
  let store: TelemetryStore;
  beforeAll(async () => {
    store = await createTelemetryStore({ database: context.database(), schema: context.schema });
  });

  it("stores storable hostile text exactly in every dimension and metadata, refuses the rest one by one", async () => {
    const next = random(7_331);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
    const tracker = fuzzTracker(store);
    const good: { input: Record<string, unknown>; result: Promise<TrackResult> }[] = [];
    const bad: Promise<TrackResult>[] = [];
    for (let index = 0; index < 2_000; index++) {
      const input: Record<string, unknown> = { ...aiCall() };
      for (const dimension of dimensions) if (next() < 0.5) input[dimension] = `${pick(storable)}${index}`;
      input.metadata = { [pick(storable)]: pick(storable), list: [pick(storable)] };
      input.error = next() < 0.3 ? `${pick(storable)}${pick(unstorable)}` : undefined;
      if (next() < 0.3) {
        const where = pick(["dimension", "metadata key", "metadata value"] as const);
        const text = pick(unstorable);
        if (where === "dimension") input[pick(dimensions)] = text;
        else if (where === "metadata key") input.metadata = { [text]: 1 };
        else input.metadata = { note: [text] };
        bad.push(tracker.trackAiSdkCall(input as never));
      } else {
        good.push({ input, result: tracker.trackAiSdkCall(input as never) });
      }
    }
    const badResults = await Promise.all(bad);
    const goodResults = await Promise.all(good.map((entry) => entry.result));
    await tracker.close();
    for (const result of badResults) {
      expect(result.outcome).toBe("rejected");
      expect(result.reason).toMatch(/not valid Unicode|NUL/);
    }
    expect(goodResults.every((result) => result.outcome === "stored")).toBe(true);
    const rows = await store.database.query<Record<string, unknown>>(
      `SELECT event_id::text AS event_id, repo, task_type, model, provider, user_id, session_id, environment,
              metadata, error FROM "${context.schema}".llm_cost_events WHERE event_id = ANY($1::uuid[])`,
      [goodResults.map((result) => result.eventId)],
    );
    expect(rows).toHaveLength(good.length);
    const byId = new Map(rows.map((row) => [row.event_id, row]));
    good.forEach(({ input }, index) => {
      const row = byId.get(goodResults[index]!.eventId)!;
      expect(row.repo).toBe(input.repo);
      expect(row.task_type).toBe(input.taskType);
      expect(row.model).toBe(input.model);
      if (typeof input.provider === "string") expect(row.provider).toBe(input.provider);
      expect(row.user_id ?? undefined).toBe(input.userId ?? undefined);
      expect(row.session_id ?? undefined).toBe(input.sessionId ?? undefined);
      expect(row.environment ?? undefined).toBe(input.environment ?? undefined);
      expect(row.metadata).toEqual(input.metadata);
      // Free error text is kept, cleaned: every stored error is well-formed and NUL-free.
      if (input.error !== undefined) expect(String(row.error).includes("\u0000")).toBe(false);
      expect(String(row.error)).not.toMatch(
        /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
      );
    });
  });
});
