// The mapping of each convention's attributes to our usage convention (uncached input only), and the
// choice of call spans, on spans decoded from OTLP/JSON: the unit layer under the exporter tests.
import { createHash, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  decodeJsonSpans,
  defaultSpanAttribution,
  eventOfSpan,
  selectCallSpans,
  spanEventId,
  usageOfSpan,
  type OtlpSpan,
} from "../../../src/integrations/opentelemetry/index.js";

let nextSpan = 1;
type Value = string | number | boolean;

/** One decoded span with `attributes` (ints as intValue, strings as stringValue). */
function span(
  attributes: Record<string, Value>,
  parent?: OtlpSpan,
  resource: Record<string, Value> = {},
): OtlpSpan {
  const encode = (entries: Record<string, Value>) =>
    Object.entries(entries).map(([key, value]) => ({
      key,
      value:
        typeof value === "number"
          ? { intValue: String(value) }
          : typeof value === "boolean"
            ? { boolValue: value }
            : { stringValue: value },
    }));
  const [decoded] = decodeJsonSpans({
    resourceSpans: [
      {
        resource: { attributes: encode(resource) },
        scopeSpans: [
          {
            spans: [
              {
                traceId: "5b8efff798038103d269b633813fc60c",
                spanId: (nextSpan++).toString(16).padStart(16, "0"),
                parentSpanId: parent?.spanId ?? "",
                name: "span",
                startTimeUnixNano: "1767225600000000000",
                endTimeUnixNano: "1767225601250000000",
                attributes: encode(attributes),
              },
            ],
          },
        ],
      },
    ],
  });
  return decoded!;
}

describe("usage of a span in our convention", () => {
  const cases: Array<[string, Record<string, Value>, Record<string, number>]> = [
    [
      "GenAI: input includes cache reads and writes",
      {
        "gen_ai.usage.input_tokens": 1000,
        "gen_ai.usage.cache_read.input_tokens": 600,
        "gen_ai.usage.cache_creation.input_tokens": 100,
        "gen_ai.usage.output_tokens": 50,
      },
      { inputTokens: 300, cacheReadTokens: 600, cacheWriteTokens: 100, outputTokens: 50 },
    ],
    [
      "older GenAI names (OpenLLMetry): prompt/completion tokens, cache_*_input_tokens",
      {
        "gen_ai.usage.prompt_tokens": 900,
        "gen_ai.usage.cache_read_input_tokens": 400,
        "gen_ai.usage.completion_tokens": 90,
      },
      { inputTokens: 500, cacheReadTokens: 400, cacheWriteTokens: 0, outputTokens: 90 },
    ],
    [
      "an instrumentation that reports uncached input (smaller than its cached part)",
      {
        "gen_ai.usage.input_tokens": 120,
        "gen_ai.usage.cache_read.input_tokens": 3000,
        "gen_ai.usage.cache_creation.input_tokens": 1500,
        "gen_ai.usage.output_tokens": 80,
      },
      { inputTokens: 120, cacheReadTokens: 3000, cacheWriteTokens: 1500, outputTokens: 80 },
    ],
    [
      "OpenInference: prompt includes cache; reasoning inside completion",
      {
        "llm.token_count.prompt": 2000,
        "llm.token_count.prompt_details.cache_read": 1500,
        "llm.token_count.completion": 300,
        "llm.token_count.completion_details.reasoning": 200,
      },
      { inputTokens: 500, cacheReadTokens: 1500, outputTokens: 300, reasoningTokens: 200 },
    ],
    [
      "AI SDK: its noCache detail wins over the GenAI total on the same span",
      {
        "ai.usage.inputTokens": 3000,
        "ai.usage.inputTokenDetails.noCacheTokens": 1000,
        "ai.usage.inputTokenDetails.cacheReadTokens": 2000,
        "ai.usage.outputTokens": 10,
        "gen_ai.usage.input_tokens": 3000,
        "gen_ai.usage.output_tokens": 10,
      },
      { inputTokens: 1000, cacheReadTokens: 2000, outputTokens: 10 },
    ],
    [
      "ai 7 (@ai-sdk/otel, usage option on): GenAI totals with the AI SDK's uncached and reasoning details",
      {
        "gen_ai.operation.name": "chat",
        "gen_ai.usage.input_tokens": 4620,
        "gen_ai.usage.cache_read.input_tokens": 3000,
        "gen_ai.usage.cache_creation.input_tokens": 1500,
        "gen_ai.usage.output_tokens": 80,
        "ai.usage.inputTokenDetails.noCacheTokens": 120,
        "ai.usage.outputTokenDetails.reasoningTokens": 30,
      },
      {
        inputTokens: 120,
        cacheReadTokens: 3000,
        cacheWriteTokens: 1500,
        outputTokens: 80,
        reasoningTokens: 30,
      },
    ],
    [
      "AI SDK embeddings: one count, ai.usage.tokens",
      { "ai.operationId": "ai.embedMany.doEmbed", "ai.usage.tokens": 42 },
      { inputTokens: 42, outputTokens: 0 },
    ],
    [
      "counts sent as text or doubles holding integers",
      { "gen_ai.usage.input_tokens": "70", "gen_ai.usage.output_tokens": 7 },
      { inputTokens: 70, outputTokens: 7 },
    ],
    [
      "llm_ledger.cache_write_ttl 1h books cache writes as 1-hour writes",
      {
        "gen_ai.usage.input_tokens": 1000,
        "gen_ai.usage.cache_creation.input_tokens": 400,
        "gen_ai.usage.output_tokens": 1,
        "llm_ledger.cache_write_ttl": "1h",
      },
      { inputTokens: 600, cacheWriteTokens: 0, cacheWrite1hTokens: 400, outputTokens: 1 },
    ],
  ];
  it.each(cases)("%s", (_name, attributes, expected) => {
    const decoded = span(attributes);
    const ttl = decoded.attributes.get("llm_ledger.cache_write_ttl");
    expect(usageOfSpan(decoded, typeof ttl === "string" ? ttl : undefined)?.usage).toMatchObject(expected);
  });

  it("reads no usage from a span without token counts, or with negative or fractional ones", () => {
    expect(usageOfSpan(span({ "http.request.method": "GET" }))).toBeUndefined();
    expect(
      usageOfSpan(span({ "gen_ai.usage.input_tokens": -5, "gen_ai.usage.output_tokens": "1.5" })),
    ).toBeUndefined();
    // A detail without the totals it details (ai 7's step span with the usage option on).
    expect(usageOfSpan(span({ "ai.usage.inputTokenDetails.noCacheTokens": 120 }))).toBeUndefined();
  });
});

describe("which spans are calls", () => {
  it("counts the innermost call and never a wrapper that sums it, nor spans without usage", () => {
    const workflow = span({ "gen_ai.usage.input_tokens": 30, "gen_ai.usage.output_tokens": 3 });
    const agent = span(
      {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.usage.input_tokens": 30,
        "gen_ai.usage.output_tokens": 3,
      },
      workflow,
    );
    const call = span(
      { "gen_ai.operation.name": "chat", "gen_ai.usage.input_tokens": 30, "gen_ai.usage.output_tokens": 3 },
      agent,
    );
    const http = span({ "http.request.method": "POST" }, call);
    const lonelyAgent = span({
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.usage.input_tokens": 5,
      "gen_ai.usage.output_tokens": 5,
    });
    const outer = span({
      "ai.operationId": "ai.streamText",
      "ai.usage.inputTokens": 9,
      "ai.usage.outputTokens": 9,
    });
    const chain = span({ "openinference.span.kind": "CHAIN", "llm.token_count.prompt": 9 });
    const llm = span({ "openinference.span.kind": "LLM", "llm.token_count.prompt": 9 }, chain);
    const { calls, ignored } = selectCallSpans([workflow, agent, call, http, lonelyAgent, outer, chain, llm]);
    expect(calls).toEqual([call, llm]);
    expect(ignored).toBe(6);
  });

  it("leaves out ai 7's step span even when its calls were exported in another batch", () => {
    const step = span({
      "gen_ai.operation.name": "agent_step",
      "ai.usage.inputTokenDetails.noCacheTokens": 120,
    });
    expect(selectCallSpans([step])).toEqual({ calls: [], ignored: 1 });
  });
});

describe("the event of a call span", () => {
  it("takes dimensions from span then resource attributes, metadata from the prefixes, duration from the times", () => {
    const event = eventOfSpan(
      span(
        {
          "gen_ai.operation.name": "chat",
          "gen_ai.request.model": "gpt-4o-mini",
          "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
          "gen_ai.provider.name": "azure.ai.openai",
          "gen_ai.usage.input_tokens": 10,
          "gen_ai.usage.output_tokens": 1,
          "ai.telemetry.metadata.userId": "u-7",
          "ai.telemetry.metadata.team": "search",
          "llm_ledger.metadata.ticket": "T-9",
        },
        undefined,
        {
          "service.name": "svc",
          "deployment.environment.name": "staging",
          "user.id": "ignored-as-span-wins",
        },
      ),
      defaultSpanAttribution,
    );
    expect(event).toMatchObject({
      ok: true,
      createdAt: 1767225601250,
      input: {
        repo: "svc",
        taskType: "chat",
        model: "gpt-4o-mini-2024-07-18",
        provider: "azure",
        sdk: "otel",
        userId: "u-7",
        environment: "staging",
        durationMs: 1250,
        metadata: { team: "search", ticket: "T-9" },
      },
    });
  });

  it("derives the same event id from the same trace and span ids, and refuses spans without valid ids", () => {
    const first = span({ "gen_ai.request.model": "gpt-4o-mini", "gen_ai.usage.input_tokens": 1 });
    const one = eventOfSpan(first, defaultSpanAttribution);
    const two = eventOfSpan({ ...first, attributes: new Map(first.attributes) }, defaultSpanAttribution);
    expect(one.ok && two.ok && one.eventId === two.eventId).toBe(true);
    expect(eventOfSpan({ ...first, traceId: "0".repeat(32) }, defaultSpanAttribution)).toEqual({
      ok: false,
      reason: expect.stringMatching(/traceId/) as unknown,
    });
  });
});

describe("the event id of a span", () => {
  /** The documented derivation, spelled out with a Hash object and the bits set in the digest's bytes. */
  function documentedId(traceId: string, spanId: string): string {
    const bytes = createHash("sha256").update(`llm-ledger otlp span\0${traceId}\0${spanId}`).digest();
    bytes[6] = (bytes[6]! & 0x0f) | 0x80; // version 8
    bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
    const hex = bytes.subarray(0, 16).toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  it("is the id spans ingested by earlier releases were stored under, so a re-export stays a duplicate", () => {
    // Pinned: the first OTLP release stored this span under this id.
    expect(spanEventId("0af7651916cd43dd8448eb211c80319c", "00f067aa0ba902b7")).toBe(
      "5f0148c0-5c3c-80dc-98f1-cb6ac9acf295",
    );
    for (let index = 0; index < 2_000; index++) {
      const traceId = randomBytes(16).toString("hex");
      const spanId = randomBytes(8).toString("hex");
      const id = spanEventId(traceId, spanId);
      expect(id).toBe(documentedId(traceId, spanId));
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });

  it("differs between spans of one trace and between traces, even for ids that differ in one bit", () => {
    const traceId = "0af7651916cd43dd8448eb211c80319c";
    const ids = new Set<string>();
    for (let bit = 0; bit < 64; bit++) {
      const spanId = (1n << BigInt(bit)).toString(16).padStart(16, "0");
      ids.add(spanEventId(traceId, spanId));
      ids.add(spanEventId(`${traceId.slice(0, 31)}d`, spanId));
    }
    expect(ids.size).toBe(128);
  });
});

describe("the service tier of a span (issue #17)", () => {
  const call = {
    "gen_ai.request.model": "gpt-5",
    "gen_ai.system": "openai",
    "gen_ai.usage.input_tokens": 10,
    "gen_ai.usage.output_tokens": 2,
  };
  const tierOf = (attributes: Record<string, Value>) => {
    const event = eventOfSpan(span({ ...call, ...attributes }), defaultSpanAttribution);
    if (!event.ok) throw new Error(event.reason);
    return event.input.serviceTier;
  };

  it("reads OpenAI's response tier under the old and new convention names, in canonical form", () => {
    expect(tierOf({ "openai.response.service_tier": "flex" })).toBe("flex");
    expect(tierOf({ "gen_ai.openai.response.service_tier": "default" })).toBe("standard");
    expect(tierOf({ "llm_ledger.service_tier": "batch" })).toBe("batch");
    expect(tierOf({})).toBeNull();
  });

  it("leaves out a value that is no tier name instead of refusing the call", () => {
    expect(tierOf({ "openai.response.service_tier": "not a tier!" })).toBeNull();
  });
});
