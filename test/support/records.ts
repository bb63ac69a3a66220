// Valid inputs for the tests, each changed by `overrides`: a priced record as the store receives it,
// and a call as the tracker's `trackAiSdkCall` receives it. A test spells out only what it is about.
import { randomUUID } from "node:crypto";
import type { NewLlmCostRecord } from "../../src/store/index.js";
import type { AiSdkCallParams } from "../../src/tracker/index.js";

/** A valid priced record (a fresh event id, Claude Sonnet 4.5 through the AI SDK); `overrides` change any field. */
export function costRecord(overrides: Partial<NewLlmCostRecord> = {}): NewLlmCostRecord {
  return {
    eventId: randomUUID(),
    createdAt: new Date("2025-06-01T12:00:00.000Z"),
    repo: "acme/api",
    taskType: "review",
    model: "claude-sonnet-4-5",
    provider: "anthropic",
    sdk: "ai",
    inputTokens: 1200,
    outputTokens: 300,
    estimatedCostUsd: "0.008100000000",
    ...overrides,
  };
}

/** A valid AI SDK call for a priced model; `overrides` change any field. */
export function aiCall(overrides: Partial<AiSdkCallParams> = {}): AiSdkCallParams {
  return {
    repo: "acme/api",
    taskType: "review",
    model: "claude-sonnet-4-5",
    provider: "anthropic",
    inputTokens: 1000,
    outputTokens: 200,
    durationMs: 850,
    usedFallback: false,
    ...overrides,
  };
}
