// ai 7 and its 4.x providers for the test matrix, resolved from this test package's own node_modules
// (`npm ci --prefix test/ai7`, which .ci/run runs before the tests): they declare Node 22, so the
// root install, which supports Node 20, does not pull them in.
import "./require-installed.js";

export * as ai7 from "ai";
export { createAnthropic as createAnthropic7 } from "@ai-sdk/anthropic";
export { createGoogleGenerativeAI as createGoogle7 } from "@ai-sdk/google";
export { createOpenAI as createOpenAI7 } from "@ai-sdk/openai";
export { OpenTelemetry as OpenTelemetry7 } from "@ai-sdk/otel";
