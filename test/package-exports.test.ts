// The package as users import it: the built entry points under their package names (after `npm ci`,
// whose `prepare` step builds dist/), in a plain Node process.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const built = existsSync("dist/index.js");

describe.skipIf(!built && process.env.CI !== "true")("package exports (dist/ built by npm ci)", () => {
  it("exposes the public names from the root and each subpath", async () => {
    const script = `
      const root = await import("llm-ledger");
      const pricing = await import("llm-ledger/pricing");
      const aiSdk = await import("llm-ledger/ai-sdk");
      const agentSdk = await import("llm-ledger/agent-sdk");
      const server = await import("llm-ledger/server");
      const opentelemetry = await import("llm-ledger/opentelemetry");
      const names = (module) => Object.keys(module).sort();
      console.log(JSON.stringify({ root: names(root), pricing: names(pricing), aiSdk: names(aiSdk), agentSdk: names(agentSdk), server: names(server), opentelemetry: names(opentelemetry),
        cost: root.estimateCost({ model: "openai/gpt-4o-mini", usage: { inputTokens: 1, outputTokens: 0 } }).costUsd }));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ["--input-type=module", "-e", script]);
    const exported = JSON.parse(stdout) as Record<string, string[]> & { cost: string };
    expect(exported.root).toEqual(
      expect.arrayContaining([
        "createCostTracker",
        "createTelemetryStore",
        "estimateCost",
        "extractProvider",
        "createPricing",
        "createHttpSink",
        "usageFromOpenAI",
        "usageFromAnthropic",
        "usageFromGemini",
        "queryCosts",
        "listEvents",
        "LedgerError",
      ]),
    );
    expect(exported.pricing).toEqual(
      expect.arrayContaining(["estimateCost", "resolveModel", "createPricing"]),
    );
    expect(exported.aiSdk).toEqual(
      expect.arrayContaining(["createCostTrackingMiddleware", "createTaskRouter"]),
    );
    expect(exported.agentSdk).toEqual(expect.arrayContaining(["trackAgentSdkResult", "trackQuery"]));
    expect(exported.server).toEqual(expect.arrayContaining(["startServer", "createApp"]));
    expect(exported.opentelemetry).toEqual(
      expect.arrayContaining(["createCostMetrics", "withCostMetrics", "decodeProtobufSpans", "eventOfSpan"]),
    );
    // $0.15 per million input tokens: one token is 0.00000015.
    expect(exported.cost).toBe("0.00000015");
  });
});

describe.skipIf(!built && process.env.CI !== "true")("package declarations", () => {
  it("name no driver's types, so a consumer needs neither @types/pg nor postgres.js", async () => {
    const { readdir, readFile } = await import("node:fs/promises");
    const files = (await readdir("dist", { recursive: true })).filter((file) => file.endsWith(".d.ts"));
    expect(files.length).toBeGreaterThan(20);
    for (const file of files) {
      const text = await readFile(`dist/${file}`, "utf8");
      expect(text, file).not.toMatch(
        /from "(pg|postgres|pg-copy-streams)"|import\("(pg|postgres|pg-copy-streams)"\)/,
      );
    }
  });
});
