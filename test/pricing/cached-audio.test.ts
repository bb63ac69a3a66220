// Issue #17, cached audio: cached audio input is a cache read that OpenAI and Google price apart
// from cached text (gpt-realtime-mini $0.30 against $0.06 per million; Gemini's Flash models). It is
// its own bucket, `cacheReadAudioTokens`, carved out of `cacheReadTokens`: billed once, at the
// model's `cache_read_audio` price; a model without one is flagged, never priced at the cached text
// rate. Prices hand-computed from the providers' pages (source per case).
import { describe, expect, it } from "vitest";
import type { CommandDefinition } from "../../src/cli/command.js";
import { pricingCommand } from "../../src/cli/commands/pricing.js";
import { runCli } from "../../src/cli/run-cli.js";
import { isLedgerError } from "../../src/errors.js";
import { chargesOf, createPricing, validateProviderFile, validateUsage } from "../../src/pricing/index.js";
import { estimate, priced } from "./shipped-estimates.js";

function thrown(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return isLedgerError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return "no error";
}

// A gpt-realtime-mini call (developers.openai.com/api/docs/models/gpt-realtime-2.1-mini): text $0.60 /
// cached $0.06 / $2.40, audio $10 / $20, cached audio $0.30 per million.
const realtimeCall = {
  inputTokens: 200,
  cacheReadTokens: 100,
  cacheReadAudioTokens: 300,
  audioInputTokens: 400,
  outputTokens: 50,
  audioOutputTokens: 150,
};

describe("cached audio prices", () => {
  it("prices gpt-realtime-mini's cached audio at $0.30, not the cached text $0.06", () => {
    // 200 × 0.6 + 100 × 0.06 + 300 × 0.3 + 400 × 10 + 50 × 2.4 + 150 × 20 per million
    // = 0.00012 + 0.000006 + 0.00009 + 0.004 + 0.00012 + 0.003.
    const result = priced(estimate("gpt-realtime-mini", "openai", realtimeCall));
    expect(result.costUsd).toBe("0.007336");
    expect(result.breakdown).toMatchObject({
      input: "0.00012",
      cacheRead: "0.000006",
      cacheReadAudio: "0.00009",
      audioInput: "0.004",
      audioOutput: "0.003",
    });
    // The alias on OpenAI's page reads the same entry.
    expect(priced(estimate("gpt-realtime-2.1-mini", "openai", realtimeCall)).costUsd).toBe("0.007336");
  });

  it("bills cached audio once: the cost is the text call's plus cached audio × its own rate", () => {
    const { cacheReadAudioTokens, ...withoutCachedAudio } = realtimeCall;
    const text = priced(estimate("gpt-realtime-mini", "openai", withoutCachedAudio));
    expect(text.costUsd).toBe("0.007246");
    expect(text.breakdown).not.toHaveProperty("cacheReadAudio");
    const withAudio = priced(estimate("gpt-realtime-mini", "openai", realtimeCall));
    // In micro-dollars: the difference is 300 × 0.30, nothing at the cached text rate, cacheRead unchanged.
    const micros = (usd: string) => Math.round(Number(usd) * 1e6);
    expect(micros(withAudio.costUsd) - micros(text.costUsd)).toBe(cacheReadAudioTokens * 0.3);
    expect(withAudio.breakdown.cacheRead).toBe(text.breakdown.cacheRead);
  });

  it("prices the realtime entries whose cached audio equals cached text at that published price", () => {
    // OpenAI's model pages: gpt-realtime(-1.5) and gpt-realtime-2 $0.40, gpt-4o-realtime-preview
    // $2.50, gpt-4o-mini-realtime-preview $0.30 per million cached audio.
    for (const [model, cost] of [
      ["gpt-realtime", "0.0004"],
      ["gpt-realtime-1.5", "0.0004"],
      ["gpt-realtime-2", "0.0004"],
      ["gpt-4o-realtime-preview", "0.0025"],
      ["gpt-4o-mini-realtime-preview", "0.0003"],
    ] as const) {
      const result = priced(estimate(model, "openai", { cacheReadAudioTokens: 1_000 }));
      expect([model, result.costUsd, result.breakdown.cacheReadAudio]).toEqual([model, cost, cost]);
    }
  });

  it("prices Gemini Flash cached audio above cached text, on Google and Vertex", () => {
    // ai.google.dev/gemini-api/docs/pricing, Gemini 2.5 Flash: text $0.30, cached $0.03, audio $1,
    // cached audio $0.10, output $2.50. 600 × 0.3 + 100 × 0.03 + 300 × 0.1 + 500 × 1 + 250 × 2.5.
    const call = {
      inputTokens: 600,
      cacheReadTokens: 100,
      cacheReadAudioTokens: 300,
      audioInputTokens: 500,
      outputTokens: 250,
    };
    for (const provider of ["google", "google-vertex"] as const) {
      const result = priced(estimate("gemini-2.5-flash", provider, call));
      expect([provider, result.costUsd, result.breakdown.cacheReadAudio]).toEqual([
        provider,
        "0.001338",
        "0.00003",
      ]);
    }
  });

  it("scales cached audio with a service tier's multiplier", () => {
    // Gemini batch = 0.5 × standard: 300 × 0.05 per million cached audio.
    const batch = priced(estimate("gemini-2.5-flash", "google", { cacheReadAudioTokens: 300 }, "batch"));
    expect(batch).toMatchObject({ costUsd: "0.000015", breakdown: { cacheReadAudio: "0.000015" } });
  });

  it("keeps the cached audio rate in the rate set, so an explanation adds up to the estimate", () => {
    const result = priced(estimate("gpt-realtime-mini", "openai", realtimeCall));
    expect(result.rates.lines.find((line) => line.bucket === "cache_read_audio")).toEqual({
      kind: "tokens",
      bucket: "cache_read_audio",
      usage: "cacheReadAudioTokens",
      price: "0.3",
      per: 1_000_000,
    });
    expect(chargesOf(result.rates, realtimeCall).totalUsd).toBe(result.costUsd);
    // A text model's rate set has no cached audio line (its lines, and so its ref, are as before).
    const text = priced(estimate("gpt-4o", "openai", { inputTokens: 10 }));
    expect(text.rates.lines.map((line) => line.bucket)).not.toContain("cache_read_audio");
  });
});

describe("cached audio without a rate", () => {
  it("flags the call, naming the bucket, never pricing it at the cached text rate", () => {
    for (const [model, provider] of [
      ["gpt-4o-audio-preview", "openai"],
      ["gpt-4o", "openai"],
      ["gemini-2.5-pro", "google"],
      ["claude-sonnet-4-5", "anthropic"],
    ] as const) {
      const result = estimate(model, provider, { inputTokens: 10, cacheReadAudioTokens: 7 });
      expect(result, model).toMatchObject({ priced: false, costUsd: "0" });
      if (!result.priced) {
        expect(result.reason).toBe(
          `the catalog has no cache_read_audio price for ${result.model} (7 tokens); not priced at the cached text rate`,
        );
      }
    }
  });

  it("prices the same model's cached text as before", () => {
    // gpt-4o-audio-preview: cached text is billed at the input price $2.50 (no cache_read price).
    const text = priced(estimate("gpt-4o-audio-preview", "openai", { cacheReadTokens: 1_000_000 }));
    expect(text.costUsd).toBe("2.5");
  });

  it("prices it once an override states the rate, and says a rule it was derived by", () => {
    const pricing = createPricing({
      overrides: {
        models: [
          {
            provider: "openai",
            id: "gpt-4o-audio-preview",
            prices: [
              {
                input: "2.5",
                output: "10",
                cache_read_audio: "2.5",
                derived: { cache_read_audio: "cache_read_audio = input (the provider's rule, for a test)" },
              },
            ],
          },
        ],
      },
    });
    const result = pricing.estimateCost({
      model: "gpt-4o-audio-preview",
      provider: "openai",
      usage: { inputTokens: 0, outputTokens: 0, cacheReadAudioTokens: 1_000 },
    });
    expect(result).toMatchObject({
      priced: true,
      costUsd: "0.0025",
      rules: ["cache_read_audio = input (the provider's rule, for a test)"],
    });
  });
});

describe("bad cached audio usage", () => {
  it("refuses negative, fractional and oversized counts with the key and the problem", () => {
    expect(thrown(() => validateUsage({ inputTokens: 1, outputTokens: 1, cacheReadAudioTokens: -3 }))).toBe(
      "E_USAGE: usage.cacheReadAudioTokens must not be negative, got -3",
    );
    expect(thrown(() => validateUsage({ inputTokens: 1, outputTokens: 1, cacheReadAudioTokens: 0.5 }))).toBe(
      "E_USAGE: usage.cacheReadAudioTokens must be a whole number of tokens, got 0.5",
    );
    expect(thrown(() => estimate("gpt-realtime-mini", "openai", { cacheReadAudioTokens: 2e9 }))).toBe(
      "E_USAGE: usage.cacheReadAudioTokens must be at most 1000000000 tokens per call, got 2000000000",
    );
  });

  it("refuses a catalog cached audio price that is not a price, and a tier that leaves it out", () => {
    const problems = (period: Record<string, unknown>) =>
      thrown(() =>
        validateProviderFile(
          {
            provider: "openai",
            name: "OpenAI",
            source: "https://example.com/pricing",
            checked: "2026-12-04",
            models: [{ id: "m", prices: [period] }],
          },
          "test.json",
        ),
      );
    expect(problems({ input: "1", cache_read: "0.1", cache_read_audio: "0.5" })).toBe("no error");
    expect(problems({ input: "1", cache_read_audio: "0.1234567" })).toContain(
      "$.models[0].prices[0].cache_read_audio: expected a decimal string in dollars per million tokens",
    );
    expect(problems({ input: "1", cache_read_audio: "0.5", tiers: [{ above: 1000, input: "2" }] })).toContain(
      "tiers[0].cache_read_audio: a tier must price exactly the buckets its period prices",
    );
  });
});

describe("llm-ledger pricing estimate --cache-read-audio", () => {
  const root: CommandDefinition = { name: "llm-ledger", summary: "test root", subcommands: [pricingCommand] };
  async function ledger(argv: string[]) {
    let stdout = "";
    let stderr = "";
    const exitCode = await runCli(root, argv, {
      stdout: { write: (text: string) => (stdout += text), isTTY: false },
      stderr: { write: (text: string) => (stderr += text), isTTY: false },
      env: {},
      cwd: process.cwd(),
    });
    return { exitCode, stdout, stderr };
  }
  const call = ["pricing", "estimate", "--model", "gpt-realtime-mini", "--cache-read", "100"];

  it("prints a row for cached audio beside cached text", async () => {
    const run = await ledger([...call, "--cache-read-audio", "300"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/cacheRead\s+100\s+0\.000006\n/);
    expect(run.stdout).toMatch(/cacheReadAudio\s+300\s+0\.00009\n/);
    expect(run.stdout).toMatch(/total\s+400\s+0\.000096\n/);
    const without = await ledger(call);
    expect(without.stdout).not.toContain("cacheReadAudio");
  });

  it("exits 1 for a model without the rate, and 2 for a bad count", async () => {
    const unpriced = await ledger([
      "pricing",
      "estimate",
      "--model",
      "gpt-4o-audio-preview",
      "--cache-read-audio",
      "10",
    ]);
    expect(unpriced.exitCode).toBe(1);
    expect(unpriced.stdout).toContain(
      "not priced: the catalog has no cache_read_audio price for gpt-4o-audio-preview",
    );
    const negative = await ledger([...call, "--cache-read-audio=-1"]);
    expect(negative.exitCode).toBe(2);
    expect(negative.stderr).toContain("--cache-read-audio must be a whole number from 0 to 1000000000");
  });
});
