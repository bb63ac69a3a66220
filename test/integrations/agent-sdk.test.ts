import { describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import {
  trackAgentSdkResult,
  trackQuery,
  type AgentResultMessage,
} from "../../src/integrations/agent-sdk/index.js";
import { createRecordingTracker } from "./recording-tracker.js";

const context = { repo: "agent-repo", taskType: "triage", deliveryId: "delivery-7" };

// A result message of the SDK's real shape (SDKResultSuccess): a main model and a subagent on Haiku.
function successResult(overrides: Partial<AgentResultMessage> = {}): AgentResultMessage {
  return {
    type: "result",
    subtype: "success",
    duration_ms: 48210,
    duration_api_ms: 40120,
    is_error: false,
    num_turns: 9,
    result: "Done.",
    stop_reason: "end_turn",
    total_cost_usd: 0.4275,
    usage: {
      input_tokens: 40,
      cache_creation_input_tokens: 12000,
      cache_read_input_tokens: 90000,
      output_tokens: 2100,
      server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
      service_tier: "standard",
      cache_creation: { ephemeral_1h_input_tokens: 10000, ephemeral_5m_input_tokens: 2000 },
    },
    modelUsage: {
      "claude-sonnet-4-5-20250929": {
        inputTokens: 40,
        outputTokens: 2100,
        cacheReadInputTokens: 90000,
        cacheCreationInputTokens: 12000,
        cacheCreationEphemeral5mInputTokens: 2000,
        cacheCreationEphemeral1hInputTokens: 10000,
        webSearchRequests: 0,
        costUSD: 0.3975,
        contextWindow: 200000,
        maxOutputTokens: 64000,
      },
      "claude-haiku-4-5-20251001": {
        inputTokens: 3000,
        outputTokens: 800,
        cacheReadInputTokens: 0,
        cacheCreationInputTokens: 5000,
        webSearchRequests: 2,
        costUSD: 0.03,
        contextWindow: 200000,
        maxOutputTokens: 64000,
      },
    },
    permission_denials: [],
    uuid: "6f1c2a4e-8b0d-4c55-9a77-2f3e4d5c6b7a",
    session_id: "session-42",
    ...overrides,
  } as AgentResultMessage;
}

describe("trackAgentSdkResult", () => {
  it("records one event per model with every token bucket, the SDK's cost and the run's duration", async () => {
    const tracker = createRecordingTracker();
    const results = await trackAgentSdkResult(tracker, successResult(), context);
    expect(results.map((result) => result.outcome)).toEqual(["stored", "stored"]);
    const [sonnet, haiku] = tracker.calls;
    expect(sonnet).toEqual({
      repo: "agent-repo",
      taskType: "triage",
      sdk: "agent",
      deliveryId: "delivery-7",
      durationMs: 48210,
      sessionId: "session-42",
      serviceTier: "standard",
      model: "claude-sonnet-4-5-20250929",
      usage: {
        inputTokens: 40,
        outputTokens: 2100,
        cacheReadTokens: 90000,
        cacheWriteTokens: 2000,
        cacheWrite1hTokens: 10000,
        reasoningTokens: 0,
      },
      providerCostUsd: 0.3975,
      eventId: results[0]!.eventId,
    });
    // No split from the SDK: every write is a 5-minute write. Web searches are a usage counter,
    // priced per search (issue #17), no longer a metadata key.
    expect(haiku).toMatchObject({
      model: "claude-haiku-4-5-20251001",
      durationMs: 48210,
      usage: {
        inputTokens: 3000,
        outputTokens: 800,
        cacheWriteTokens: 5000,
        cacheWrite1hTokens: 0,
        webSearchRequests: 2,
      },
      providerCostUsd: 0.03,
    });
    expect(haiku!.metadata).toBeUndefined();
    expect(haiku!.error).toBeUndefined();
  });

  it("derives event ids from the result's uuid and the model, so a second tracking is a duplicate", async () => {
    const tracker = createRecordingTracker();
    const first = await trackAgentSdkResult(tracker, successResult(), context);
    const second = await trackAgentSdkResult(tracker, successResult(), context);
    expect(second.map((result) => result.eventId)).toEqual(first.map((result) => result.eventId));
    expect(second.map((result) => result.outcome)).toEqual(["duplicate", "duplicate"]);
    expect(new Set(first.map((result) => result.eventId)).size).toBe(2);
    expect(first[0]!.eventId).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    const other = await trackAgentSdkResult(
      tracker,
      successResult({ uuid: "00000000-0000-4000-8000-000000000001" }),
      context,
    );
    expect(other[0]!.eventId).not.toBe(first[0]!.eventId);
  });

  it("records an error subtype, and api_error:<status> for an error result of subtype success", async () => {
    const tracker = createRecordingTracker();
    await trackAgentSdkResult(
      tracker,
      successResult({ subtype: "error_max_turns", errors: ["max turns reached"] }),
      context,
    );
    await trackAgentSdkResult(
      tracker,
      successResult({ is_error: true, api_error_status: 400, uuid: "00000000-0000-4000-8000-000000000002" }),
      context,
    );
    await trackAgentSdkResult(
      tracker,
      successResult({ is_error: true, uuid: "00000000-0000-4000-8000-000000000003" }),
      context,
    );
    expect(tracker.calls.map((call) => call.error)).toEqual([
      "error_max_turns",
      "error_max_turns",
      "api_error:400",
      "api_error:400",
      "api_error",
      "api_error",
    ]);
  });

  it("falls back to the top-level usage and total cost when modelUsage is missing or empty", async () => {
    const tracker = createRecordingTracker();
    const failed = successResult({
      subtype: "error_during_execution",
      is_error: true,
      total_cost_usd: 0,
      usage: {
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
      modelUsage: {},
      errors: ["spawn failed"],
    });
    const [result] = await trackAgentSdkResult(tracker, failed, { ...context, model: "claude-sonnet-4-5" });
    expect(result!.outcome).toBe("stored");
    expect(tracker.calls).toEqual([
      {
        repo: "agent-repo",
        taskType: "triage",
        sdk: "agent",
        deliveryId: "delivery-7",
        durationMs: 48210,
        sessionId: "session-42",
        error: "error_during_execution",
        model: "claude-sonnet-4-5",
        usage: {
          inputTokens: 0,
          outputTokens: 0,
          cacheReadTokens: 0,
          cacheWriteTokens: 0,
          cacheWrite1hTokens: 0,
          reasoningTokens: 0,
        },
        providerCostUsd: 0,
        eventId: result!.eventId,
      },
    ]);

    const withoutModelUsage = successResult({ uuid: "00000000-0000-4000-8000-000000000004" });
    delete withoutModelUsage.modelUsage;
    await trackAgentSdkResult(tracker, withoutModelUsage, context);
    expect(tracker.calls[1]).toMatchObject({
      model: "unknown",
      usage: {
        inputTokens: 40,
        outputTokens: 2100,
        cacheReadTokens: 90000,
        cacheWriteTokens: 2000,
        cacheWrite1hTokens: 10000,
      },
      providerCostUsd: 0.4275,
    });
  });

  it("records the valid models and reports a malformed entry as rejected", async () => {
    const tracker = createRecordingTracker();
    const message = successResult();
    message.modelUsage!["claude-haiku-4-5-20251001"]!.outputTokens = -3;
    const results = await trackAgentSdkResult(tracker, message, context);
    expect(results.map((result) => result.outcome)).toEqual(["stored", "rejected"]);
    expect(results[1]!.reason).toMatch(
      /modelUsage\["claude-haiku-4-5-20251001"\]: outputTokens must be a non-negative integer/,
    );
    expect(tracker.calls.map((call) => call.model)).toEqual(["claude-sonnet-4-5-20250929"]);
  });

  it("rejects something that is not a result message with a precise error", async () => {
    const tracker = createRecordingTracker();
    const attempt = trackAgentSdkResult(
      tracker,
      { type: "assistant" } as unknown as AgentResultMessage,
      context,
    );
    await expect(attempt).rejects.toSatisfy((error) => isLedgerError(error, "E_AGENT_RESULT_INVALID"));
    expect(tracker.calls).toEqual([]);
  });
});

describe("trackQuery", () => {
  // A stand-in for the SDK's Query: an async generator with a control method.
  function fakeQuery(messages: unknown[], failure?: Error) {
    async function* run() {
      for (const message of messages) yield await Promise.resolve(message);
      if (failure) throw failure;
    }
    return Object.assign(run(), {
      interrupted: false,
      interrupt() {
        this.interrupted = true;
      },
    });
  }

  it("passes every message through unchanged, keeps the query's methods and records the result", async () => {
    const tracker = createRecordingTracker();
    const init = { type: "system", subtype: "init", session_id: "session-42" };
    const result = successResult();
    const query = fakeQuery([init, result]);
    const tracked = trackQuery(tracker, query, context);
    const seen: unknown[] = [];
    for await (const message of tracked) seen.push(message);
    expect(seen).toEqual([init, result]);
    expect(seen[1]).toBe(result);
    tracked.interrupt();
    expect(query.interrupted).toBe(true);
    await Promise.resolve();
    expect(tracker.calls.map((call) => call.model)).toEqual([
      "claude-sonnet-4-5-20250929",
      "claude-haiku-4-5-20251001",
    ]);
  });

  it("records the error result and rethrows when the query throws after yielding it", async () => {
    const tracker = createRecordingTracker();
    const failure = new Error("Claude Code process exited with code 1");
    const errorResult = successResult({ subtype: "error_during_execution", is_error: true });
    const tracked = trackQuery(tracker, fakeQuery([errorResult], failure), context);
    const seen: unknown[] = [];
    await expect(
      (async () => {
        for await (const message of tracked) seen.push(message);
      })(),
    ).rejects.toBe(failure);
    expect(seen).toEqual([errorResult]);
    expect(tracker.calls.map((call) => call.error)).toEqual([
      "error_during_execution",
      "error_during_execution",
    ]);
  });

  it("works over a plain async iterable too", async () => {
    const tracker = createRecordingTracker();
    const iterable = {
      async *[Symbol.asyncIterator]() {
        yield await Promise.resolve(successResult());
      },
    };
    const seen: unknown[] = [];
    for await (const message of trackQuery(tracker, iterable, context)) seen.push(message);
    expect(seen).toHaveLength(1);
    expect(tracker.calls).toHaveLength(2);
  });
});
