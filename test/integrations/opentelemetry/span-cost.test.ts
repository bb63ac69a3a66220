// The middleware's `annotateSpan`: with the AI SDK's telemetry on and a context manager registered,
// the doGenerate / doStream span of each call carries the cost the ledger computes for it.
import { context as otelContext } from "@opentelemetry/api";
import { afterAll, beforeAll, expect, it, describe } from "vitest";
import { createCostTrackingMiddleware } from "../../../src/integrations/ai-sdk/index.js";
import { createPricing } from "../../../src/pricing/index.js";
import { startFakeProviderServer, type FakeProviderServer } from "../../support/fake-provider-server.js";
import { asyncContextManager, memoryTracer } from "../../support/otel-spans.js";
import { aiHarnesses, type CallExtras } from "../ai-harness.js";
import { providerCases } from "../provider-cases.js";
import { createRecordingTracker } from "../recording-tracker.js";

let providers: FakeProviderServer;
beforeAll(async () => {
  providers = await startFakeProviderServer();
  otelContext.setGlobalContextManager(asyncContextManager());
});
afterAll(async () => {
  otelContext.disable();
  await providers.close();
});

describe("the middleware's cost on the call's span", () => {
  it("sets llm_ledger.cost.usd and the pricing version on each provider call's span, not on the outer span", async () => {
    const pricing = createPricing();
    const harness = aiHarnesses(providers.baseUrls).find((candidate) => candidate.name === "ai 6")!;
    const tracker = createRecordingTracker();
    const otel = memoryTracer();
    const { modelId, usage } = providerCases["openai-chat"];
    const model = harness.wrap(
      harness.bare("openai-chat", modelId),
      createCostTrackingMiddleware({ tracker, repo: "web", taskType: "chat", annotateSpan: { pricing } }),
    );
    const telemetry = { experimental_telemetry: { isEnabled: true, tracer: otel.tracer } } as CallExtras;
    providers.reply({ usage }, { usage });
    await harness.generateText(model, telemetry);
    expect((await harness.streamText(model, telemetry)).error).toBeUndefined();

    const [call] = tracker.calls;
    const expected = pricing.estimateCost({
      model: call!.model,
      provider: call!.provider,
      usage: call!.usage,
    });
    expect(expected.priced).toBe(true);
    const spans = otel.finished();
    for (const name of ["ai.generateText.doGenerate", "ai.streamText.doStream"]) {
      const span = spans.find((candidate) => candidate.name === name)!;
      expect(span.attributes, name).toMatchObject({
        "llm_ledger.cost.usd": Number(expected.priced ? expected.costUsd : 0),
        "llm_ledger.pricing_version": pricing.version,
      });
    }
    for (const name of ["ai.generateText", "ai.streamText"]) {
      expect(
        spans.find((candidate) => candidate.name === name)!.attributes["llm_ledger.cost.usd"],
      ).toBeUndefined();
    }
  });
});
