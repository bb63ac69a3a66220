// The official OpenTelemetry JS SDK's OTLP exporters (protobuf and JSON) sending GenAI spans to a
// running service: the stored rows are the priced events the spans describe, the same spans exported
// again (in either encoding) store nothing twice, and a wrong key is refused.
import { afterAll, beforeAll, expect, it } from "vitest";
import { createPricing } from "../../../src/pricing/index.js";
import { startServer, type RunningServer } from "../../../src/server/start-server.js";
import { createKeyVia } from "../../support/admin-keys.js";
import { describeEachEngine } from "../../support/databases.js";
import { silentLogger } from "../../support/loggers.js";
import { exportSpans, memoryTracer, otlpExporter } from "../../support/otel-spans.js";

const adminKey = "otlp-exporters-admin-key-0123456789";
const pricing = createPricing();

interface Row {
  event_id: string;
  repo: string;
  task_type: string;
  model: string;
  provider: string;
  sdk: string;
  input_tokens: string;
  output_tokens: string;
  cache_read_tokens: string;
  cache_write_tokens: string;
  reasoning_tokens: string;
  estimated_cost_usd: string;
  priced: boolean;
  trace_id: string;
  environment: string | null;
  user_id: string | null;
  session_id: string | null;
  metadata: Record<string, unknown> | null;
}

/** The spans of one small application: calls under each convention, wrappers, and spans that are not calls. */
function applicationSpans() {
  const tracer = memoryTracer({ "service.name": "acme/web", "deployment.environment.name": "prod" });
  // The OTel GenAI conventions: input includes the 200 cached tokens.
  tracer.span("chat gpt-4o-mini", {
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "openai",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.usage.input_tokens": 1_000,
    "gen_ai.usage.cache_read.input_tokens": 200,
    "gen_ai.usage.output_tokens": 500,
    "gen_ai.conversation.id": "conversation-1",
    "user.id": "user-1",
  });
  // The AI SDK: the outer generateText span sums its steps; only the doGenerate step is a call.
  tracer.span(
    "ai.generateText",
    {
      "ai.operationId": "ai.generateText",
      "ai.telemetry.functionId": "summarise",
      "ai.telemetry.metadata.ticket": "T-1",
      "ai.usage.inputTokens": 3_000,
      "ai.usage.outputTokens": 300,
    },
    () =>
      tracer.span("ai.generateText.doGenerate", {
        "ai.operationId": "ai.generateText.doGenerate",
        "ai.telemetry.functionId": "summarise",
        "ai.telemetry.metadata.ticket": "T-1",
        "ai.model.id": "claude-sonnet-4-5",
        "ai.model.provider": "anthropic.messages",
        "ai.usage.inputTokens": 3_000,
        "ai.usage.inputTokenDetails.noCacheTokens": 1_000,
        "ai.usage.inputTokenDetails.cacheReadTokens": 1_500,
        "ai.usage.inputTokenDetails.cacheWriteTokens": 500,
        "ai.usage.outputTokens": 300,
        "ai.usage.outputTokenDetails.reasoningTokens": 100,
        "gen_ai.system": "anthropic.messages",
        "gen_ai.request.model": "claude-sonnet-4-5",
        "gen_ai.usage.input_tokens": 3_000,
        "gen_ai.usage.output_tokens": 300,
      }),
  );
  // An agent span with the summed usage of its call, and an HTTP span under the call.
  tracer.span(
    "invoke_agent planner",
    {
      "gen_ai.operation.name": "invoke_agent",
      "gen_ai.usage.input_tokens": 700,
      "gen_ai.usage.output_tokens": 70,
    },
    () =>
      tracer.span(
        "chat gemini",
        {
          "gen_ai.operation.name": "generate_content",
          "gen_ai.system": "gcp.gemini",
          "gen_ai.request.model": "gemini-2.5-flash",
          "gen_ai.usage.input_tokens": 700,
          "gen_ai.usage.output_tokens": 70,
          "llm_ledger.task_type": "plan",
        },
        () => tracer.span("POST", { "http.request.method": "POST", "url.full": "https://example.test/" }),
      ),
  );
  // OpenInference: the prompt count includes cache reads and writes.
  tracer.span("ChatAnthropic", {
    "openinference.span.kind": "LLM",
    "llm.model_name": "claude-sonnet-4-5",
    "llm.provider": "anthropic",
    "llm.token_count.prompt": 1_000,
    "llm.token_count.prompt_details.cache_read": 400,
    "llm.token_count.prompt_details.cache_write": 100,
    "llm.token_count.completion": 50,
  });
  // A model the catalog does not know: stored unpriced.
  tracer.span("chat mystery", {
    "gen_ai.operation.name": "chat",
    "gen_ai.request.model": "mystery-model-9",
    "gen_ai.usage.input_tokens": 10,
    "gen_ai.usage.output_tokens": 10,
  });
  tracer.span("SELECT ledger", { "db.system.name": "postgresql" });
  return tracer.finished();
}

function cost(model: string, provider: string, usage: Record<string, number>): string {
  const estimate = pricing.estimateCost({
    model,
    provider,
    usage: { inputTokens: 0, outputTokens: 0, ...usage },
  });
  if (!estimate.priced) throw new Error(`${model} is not priced`);
  return estimate.costUsd;
}

describeEachEngine("OTLP exporters of the OpenTelemetry JS SDK → POST /v1/traces", (context) => {
  let server: RunningServer;
  let ingestKey: string;
  let readKey: string;

  beforeAll(async () => {
    server = await startServer({
      database: context.database(),
      schema: context.schema,
      port: 0,
      adminKey,
      logger: silentLogger,
    });
    ingestKey = await createKeyVia(server.url, adminKey, { name: "otel", scopes: ["ingest"] });
    readKey = await createKeyVia(server.url, adminKey, {
      name: "read",
      scopes: ["read"],
      // The service's counters in /metrics are for keys of every project.
      project: null,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  const rows = () =>
    context.database().query<Row>(
      `SELECT event_id, repo, task_type, model, provider, sdk, input_tokens::text, output_tokens::text,
                cache_read_tokens::text, cache_write_tokens::text, reasoning_tokens::text,
                estimated_cost_usd::text, priced, trace_id, environment, user_id, session_id, metadata
           FROM "${context.schema}".llm_cost_events ORDER BY model, input_tokens`,
    );

  it("stores each call span as a priced event, once, whichever encoding exported it", async () => {
    const spans = applicationSpans();
    const proto = await exportSpans(otlpExporter("protobuf", server.url, ingestKey), spans);
    expect(proto.code, String(proto.error)).toBe(0);
    const stored = await rows();
    const traceOf = (name: string) => spans.find((span) => span.name === name)!.spanContext().traceId;
    const trim = (value: string) =>
      value.includes(".") ? value.replace(/0+$/, "").replace(/\.$/, "") : value;
    const simplified = stored.map((row) => ({
      model: row.model,
      provider: row.provider,
      repo: row.repo,
      taskType: row.task_type,
      tokens: [
        row.input_tokens,
        row.output_tokens,
        row.cache_read_tokens,
        row.cache_write_tokens,
        row.reasoning_tokens,
      ],
      cost: trim(row.estimated_cost_usd),
      priced: row.priced,
      environment: row.environment,
      sdk: row.sdk,
    }));
    expect(simplified).toEqual([
      {
        model: "claude-sonnet-4-5",
        provider: "anthropic",
        repo: "acme/web",
        taskType: "summarise",
        tokens: ["1000", "300", "1500", "500", "100"],
        cost: trim(
          cost("claude-sonnet-4-5", "anthropic", {
            inputTokens: 1_000,
            outputTokens: 300,
            cacheReadTokens: 1_500,
            cacheWriteTokens: 500,
            reasoningTokens: 100,
          }),
        ),
        priced: true,
        environment: "prod",
        sdk: "otel",
      },
      {
        model: "claude-sonnet-4-5",
        provider: "anthropic",
        repo: "acme/web",
        taskType: "unknown",
        tokens: ["500", "50", "400", "100", "0"],
        cost: trim(
          cost("claude-sonnet-4-5", "anthropic", {
            inputTokens: 500,
            outputTokens: 50,
            cacheReadTokens: 400,
            cacheWriteTokens: 100,
          }),
        ),
        priced: true,
        environment: "prod",
        sdk: "otel",
      },
      {
        model: "gemini-2.5-flash",
        provider: "google",
        repo: "acme/web",
        taskType: "plan",
        tokens: ["700", "70", "0", "0", "0"],
        cost: trim(cost("gemini-2.5-flash", "google", { inputTokens: 700, outputTokens: 70 })),
        priced: true,
        environment: "prod",
        sdk: "otel",
      },
      {
        model: "gpt-4o-mini",
        provider: "openai",
        repo: "acme/web",
        taskType: "chat",
        tokens: ["800", "500", "200", "0", "0"],
        cost: trim(
          cost("gpt-4o-mini", "openai", { inputTokens: 800, outputTokens: 500, cacheReadTokens: 200 }),
        ),
        priced: true,
        environment: "prod",
        sdk: "otel",
      },
      {
        model: "mystery-model-9",
        provider: "unknown",
        repo: "acme/web",
        taskType: "chat",
        tokens: ["10", "10", "0", "0", "0"],
        cost: "0",
        priced: false,
        environment: "prod",
        sdk: "otel",
      },
    ]);
    const openai = stored.find((row) => row.model === "gpt-4o-mini")!;
    expect(openai).toMatchObject({
      user_id: "user-1",
      session_id: "conversation-1",
      trace_id: traceOf("chat gpt-4o-mini"),
    });
    const aiSdk = stored.find((row) => row.task_type === "summarise")!;
    expect(aiSdk.metadata).toEqual({ ticket: "T-1" });

    // The same batch again, by the JSON exporter (hex ids) and the protobuf one gzipped: nothing new.
    const json = await exportSpans(otlpExporter("json", server.url, ingestKey), spans);
    expect(json.code, String(json.error)).toBe(0);
    const again = await exportSpans(
      otlpExporter("protobuf", server.url, ingestKey, { compression: "gzip" }),
      spans,
    );
    expect(again.code, String(again.error)).toBe(0);
    expect((await rows()).map((row) => row.event_id).sort()).toEqual(
      stored.map((row) => row.event_id).sort(),
    );

    const metrics = await (
      await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${readKey}` } })
    ).text();
    expect(metrics).toContain(`llm_ledger_otlp_spans_received_total ${3 * spans.length}`);
    expect(metrics).toContain(`llm_ledger_otlp_spans_ignored_total ${3 * (spans.length - 5)}`);
  });

  it("refuses a wrong key with 401, which the exporter reports as a failed export", async () => {
    const spans = applicationSpans();
    const wrong = await exportSpans(
      otlpExporter("protobuf", server.url, "llk_wrong_key_0000000000000000000000"),
      spans,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.error).toMatchObject({ code: 401 });
    const readOnly = await exportSpans(otlpExporter("json", server.url, readKey), spans);
    expect(readOnly.code).toBe(1);
    expect(readOnly.error).toMatchObject({ code: 403 });
  });
});
