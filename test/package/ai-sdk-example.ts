// The README's AI SDK example as an application writes it, compiled by consumer.test.ts in a strict
// TypeScript app (skipLibCheck: false) against the installed tarball and run there, with the
// Anthropic provider pointed at the fake provider server (argv[2]). It records into the same
// embedded database as the README's quick start, which `npx llm-ledger report` then reads.
import { createAnthropic } from "@ai-sdk/anthropic";
import { generateText, wrapLanguageModel } from "ai";
import { createCostTracker, createTelemetryStore } from "llm-ledger";
import { createCostTrackingMiddleware } from "llm-ledger/ai-sdk";

const [baseUrl] = process.argv.slice(2);
const anthropic = createAnthropic({ baseURL: baseUrl, apiKey: "test-key" });

const telemetryStore = await createTelemetryStore({ databaseUrl: "pglite:.llm-ledger/db" });
const tracker = createCostTracker({ telemetryStore });
const model = wrapLanguageModel({
  model: anthropic("claude-sonnet-4-5"),
  middleware: createCostTrackingMiddleware({ tracker, repo: "acme/web", taskType: "chat" }),
});

const { text } = await generateText({ model, prompt: "Say hello." });
await tracker.close();
// The store the application created stays open after tracker.close(): close it too, or its database
// keeps the process alive.
await telemetryStore.close();
process.stdout.write(`${JSON.stringify({ text })}\n`);
