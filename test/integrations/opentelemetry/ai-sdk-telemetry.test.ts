// The AI SDK with telemetry on, calling the providers' real packages against the fake provider server,
// its spans exported by the OTel SDK's protobuf exporter to the service: the rows equal (tokens and
// cost) what the cost-tracking middleware records for the same calls, and no call is counted twice
// (the outer spans sum their steps and are left out). ai 6 through `experimental_telemetry` (the
// AI SDK's own `ai.*` attributes); ai 7 through its OpenTelemetry integration, `@ai-sdk/otel`, which
// writes the GenAI conventions' attributes (and declares Node 22, but runs on Node 20: this test
// runs it there). Cache writes here are 5-minute ones: spans carry one cache-write count, so 1-hour
// writes, which only the middleware's raw Anthropic usage splits, would be priced as 5-minute writes.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createCostTrackingMiddleware } from "../../../src/integrations/ai-sdk/index.js";
import { createPricing } from "../../../src/pricing/index.js";
import { startServer, type RunningServer } from "../../../src/server/start-server.js";
import { createKeyVia } from "../../support/admin-keys.js";
import { describeEachEngine } from "../../support/databases.js";
import {
  startFakeProviderServer,
  type FakeProviderServer,
  type ProviderApi,
} from "../../support/fake-provider-server.js";
import { silentLogger } from "../../support/loggers.js";
import { exportSpans, memoryTracer, otlpExporter } from "../../support/otel-spans.js";
import { OpenTelemetry7 } from "../../ai7/index.js";
import { aiHarnesses, type AiHarness, type CallExtras } from "../ai-harness.js";
import { providerCases } from "../provider-cases.js";
import { createRecordingTracker } from "../recording-tracker.js";

const adminKey = "otlp-ai-sdk-admin-key-0123456789";
const pricing = createPricing();

/**
 * The provider cases with 5-minute cache writes only (see above), and Gemini without tool-use prompt
 * tokens: the AI SDK's usage leaves `toolUsePromptTokenCount` out of its input buckets, so its spans
 * under-count them, where the middleware reads Gemini's own usage (docs/opentelemetry.md, limits).
 */
const cases = {
  ...providerCases,
  anthropic: {
    ...providerCases.anthropic,
    usage: {
      input_tokens: 120,
      output_tokens: 80,
      cache_read_input_tokens: 3000,
      cache_creation_input_tokens: 1500,
    },
  },
  gemini: {
    ...providerCases.gemini,
    usage: {
      promptTokenCount: 1200,
      cachedContentTokenCount: 1000,
      candidatesTokenCount: 50,
      thoughtsTokenCount: 150,
      totalTokenCount: 1400,
    },
  },
};

interface Row {
  model: string;
  input_tokens: string;
  output_tokens: string;
  cache_read_tokens: string;
  cache_write_tokens: string;
  cache_write_1h_tokens: string;
  reasoning_tokens: string;
  estimated_cost_usd: string;
  task_type: string;
}

const trim = (value: string) => (value.includes(".") ? value.replace(/0+$/, "").replace(/\.$/, "") : value);

describeEachEngine("AI SDK telemetry spans → POST /v1/traces, beside the middleware", (context) => {
  let providers: FakeProviderServer;
  let server: RunningServer;
  let ingestKey: string;

  beforeAll(async () => {
    providers = await startFakeProviderServer();
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
    });
    ingestKey = await createKeyVia(server.url, adminKey, { name: "otel", scopes: ["ingest"] });
  });
  afterAll(async () => {
    await server?.close();
    await providers?.close();
  });

  /**
   * Makes every case's calls (generateText, streamText, a two-step tool loop) with `telemetry` and the
   * middleware, exports the spans under `service.name` = `repo`, and compares the rows of that repo
   * with what the middleware recorded; returns the rows' task types.
   */
  async function compareWithMiddleware(
    harness: AiHarness,
    repo: string,
    telemetryOf: (tracer: ReturnType<typeof memoryTracer>["tracer"]) => CallExtras,
  ): Promise<Set<string>> {
    const tracker = createRecordingTracker();
    const otel = memoryTracer({ "service.name": repo });
    const telemetry = telemetryOf(otel.tracer);
    for (const api of Object.keys(cases) as ProviderApi[]) {
      const { modelId, usage } = cases[api];
      const model = harness.wrap(
        harness.bare(api, modelId),
        createCostTrackingMiddleware({ tracker, repo, taskType: "chat" }),
      );
      providers.reply({ usage });
      await harness.generateText(model, telemetry);
      providers.reply({ usage });
      expect((await harness.streamText(model, telemetry)).error).toBeUndefined();
      // Two steps: a tool call, then the answer; the outer span sums both.
      providers.reply({ usage, toolCall: { name: "weather", input: { city: "Paris" } } }, { usage });
      expect((await harness.toolLoop(model, telemetry)).steps).toBe(2);
    }
    expect(tracker.calls).toHaveLength(4 * 4);

    const spans = otel.finished();
    const result = await exportSpans(otlpExporter("protobuf", server.url, ingestKey), spans);
    expect(result.code, String(result.error)).toBe(0);
    const rows = await context.database().query<Row>(
      `SELECT model, input_tokens::text, output_tokens::text, cache_read_tokens::text, cache_write_tokens::text,
                cache_write_1h_tokens::text, reasoning_tokens::text, estimated_cost_usd::text, task_type
           FROM "${context.schema}".llm_cost_events WHERE repo = $1`,
      [repo],
    );
    const fromSpans = rows.map((row) => ({
      model: row.model,
      tokens: [
        row.input_tokens,
        row.output_tokens,
        row.cache_read_tokens,
        row.cache_write_tokens,
        row.cache_write_1h_tokens,
        row.reasoning_tokens,
      ].map(Number),
      cost: trim(row.estimated_cost_usd),
    }));
    const fromMiddleware = tracker.calls.map((call) => {
      const usage = call.usage as unknown as Record<string, number>;
      const estimate = pricing.estimateCost({
        model: call.model,
        provider: call.provider,
        usage: {
          inputTokens: usage.inputTokens ?? 0,
          outputTokens: usage.outputTokens ?? 0,
          cacheReadTokens: usage.cacheReadTokens ?? 0,
          cacheWriteTokens: usage.cacheWriteTokens ?? 0,
          cacheWrite1hTokens: usage.cacheWrite1hTokens ?? 0,
          reasoningTokens: usage.reasoningTokens ?? 0,
        },
      });
      return {
        model: call.model,
        tokens: [
          usage.inputTokens ?? 0,
          usage.outputTokens ?? 0,
          usage.cacheReadTokens ?? 0,
          usage.cacheWriteTokens ?? 0,
          usage.cacheWrite1hTokens ?? 0,
          usage.reasoningTokens ?? 0,
        ],
        cost: estimate.priced ? trim(estimate.costUsd) : "0",
      };
    });
    const order = (entries: typeof fromSpans) =>
      [...entries].sort((first, second) => JSON.stringify(first).localeCompare(JSON.stringify(second)));
    expect(order(fromSpans)).toEqual(order(fromMiddleware));
    return new Set(rows.map((row) => row.task_type));
  }

  it("ai 6 (experimental_telemetry): the same tokens and cost per call as the middleware, each call once", async () => {
    const harness = aiHarnesses(providers.baseUrls).find((candidate) => candidate.name === "ai 6")!;
    const taskTypes = await compareWithMiddleware(
      harness,
      "web",
      (tracer) => ({ experimental_telemetry: { isEnabled: true, tracer, functionId: "chat" } }) as CallExtras,
    );
    expect(taskTypes).toEqual(new Set(["chat"]));
  });

  it("ai 7 (@ai-sdk/otel): the same tokens and cost per call as the middleware, each call once", async () => {
    const harness = aiHarnesses(providers.baseUrls).find((candidate) => candidate.name === "ai 7")!;
    const taskTypes = await compareWithMiddleware(
      harness,
      "web7",
      (tracer) =>
        ({
          telemetry: {
            functionId: "assistant",
            // `usage: true` adds the reasoning count, which the GenAI attributes do not carry. The
            // function id lands on the outer span only (gen_ai.agent.name): `enrichSpan` puts the
            // task type on the call spans too.
            integrations: new OpenTelemetry7({
              tracer,
              usage: true,
              enrichSpan: () => ({ "llm_ledger.task_type": "assistant" }),
            }),
          },
        }) as CallExtras,
    );
    expect(taskTypes).toEqual(new Set(["assistant"]));
  });
});
