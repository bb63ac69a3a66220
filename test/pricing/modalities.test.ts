// Issue #17, "Modalities": audio input/output and image output tokens priced at their own rates,
// exactly, and never billed twice (they are not inside inputTokens/outputTokens). A model without a
// rate for a bucket the call used is flagged, never priced at the text rate. Prices hand-computed
// from the providers' pages (source per case).
import { describe, expect, it } from "vitest";
import type { CommandDefinition } from "../../src/cli/command.js";
import { pricingCommand } from "../../src/cli/commands/pricing.js";
import { runCli } from "../../src/cli/run-cli.js";
import { isLedgerError } from "../../src/errors.js";
import { chargesOf, validateProviderFile, validateUsage } from "../../src/pricing/index.js";
import { estimate, priced } from "./shipped-estimates.js";

function thrown(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return isLedgerError(error) ? `${error.code}: ${error.message}` : String(error);
  }
  return "no error";
}

// developers.openai.com/api/docs/models/gpt-4o-audio-preview: text $2.50 / $10, audio $40 / $80.
const audioCall = { inputTokens: 1_000, audioInputTokens: 2_000, outputTokens: 300, audioOutputTokens: 500 };

describe("modality prices", () => {
  it("prices OpenAI audio tokens at their own rates, exactly, beside the text buckets", () => {
    // 1000 × 2.5 + 300 × 10 + 2000 × 40 + 500 × 80, per million = 0.0025 + 0.003 + 0.08 + 0.04.
    const result = priced(estimate("gpt-4o-audio-preview", "openai", audioCall));
    expect(result.costUsd).toBe("0.1255");
    expect(result.breakdown).toMatchObject({
      input: "0.0025",
      output: "0.003",
      audioInput: "0.08",
      audioOutput: "0.04",
    });
    expect(result.breakdown.imageOutput).toBeUndefined();
    // The mini model, same page family: text $0.15 / $0.60, audio $10 / $20.
    // 1000 × 0.15 + 300 × 0.6 + 2000 × 10 + 500 × 20 = 0.00015 + 0.00018 + 0.02 + 0.01.
    expect(priced(estimate("gpt-4o-mini-audio-preview", "openai", audioCall)).costUsd).toBe("0.03033");
  });

  it("bills the text buckets alone as before: audio is added, never inside them", () => {
    const text = priced(
      estimate("gpt-4o-audio-preview", "openai", { inputTokens: 1_000, outputTokens: 300 }),
    );
    expect(text.costUsd).toBe("0.0055");
    expect(text.breakdown).not.toHaveProperty("audioInput");
    const withAudio = priced(estimate("gpt-4o-audio-preview", "openai", audioCall));
    // The difference is exactly the audio at the audio rates, so no token is billed twice.
    expect(Number(withAudio.costUsd) * 1e6 - Number(text.costUsd) * 1e6).toBeCloseTo(120_000, 6);
  });

  it("prices Gemini image output and audio input (ai.google.dev/gemini-api/docs/pricing)", () => {
    // Gemini 2.5 Flash Image: $0.30 input, $2.50 text output, $30 image output per million; one
    // 1024×1024 image is 1,290 tokens ($0.039). 20 × 0.3 + 10 × 2.5 + 1290 × 30 = 0.000006 + 0.000025 + 0.0387.
    const image = priced(
      estimate("gemini-2.5-flash-image", "google", {
        inputTokens: 20,
        outputTokens: 10,
        imageOutputTokens: 1_290,
      }),
    );
    expect(image).toMatchObject({ costUsd: "0.038731", breakdown: { imageOutput: "0.0387" } });
    // Gemini 2.5 Flash: audio input $1 (text $0.30). 600 × 0.3 + 400 × 0.03 (cache) + 500 × 1 + 250 × 2.5.
    const audio = priced(
      estimate("gemini-2.5-flash", "google", {
        inputTokens: 600,
        cacheReadTokens: 400,
        audioInputTokens: 500,
        outputTokens: 250,
      }),
    );
    expect(audio.costUsd).toBe("0.001317");
  });

  it("prices realtime audio in and out (gpt-realtime: text $4 / $16, audio $32 / $64)", () => {
    // 300 × 4 + 300 × 0.4 + 400 × 32 + 100 × 16 + 400 × 64 = 0.0012 + 0.00012 + 0.0128 + 0.0016 + 0.0256.
    const result = priced(
      estimate("gpt-realtime", "openai", {
        inputTokens: 300,
        cacheReadTokens: 300,
        audioInputTokens: 400,
        outputTokens: 100,
        audioOutputTokens: 400,
      }),
    );
    expect(result.costUsd).toBe("0.04132");
  });

  it("prices embeddings on input alone, audio embeddings at their own rate", () => {
    // text-embedding-3-small: $0.02 per million input tokens, no output.
    expect(priced(estimate("text-embedding-3-small", "openai", { inputTokens: 1_000_000 })).costUsd).toBe(
      "0.02",
    );
    // Gemini Embedding 2: text $0.20, audio $6.50 per million. 1000 × 0.2 + 1000 × 6.5 = 0.0067.
    expect(
      priced(estimate("gemini-embedding-2", "google", { inputTokens: 1_000, audioInputTokens: 1_000 }))
        .costUsd,
    ).toBe("0.0067");
  });

  it("scales modality prices with a service tier's multiplier, and says the rule was used", () => {
    const batch = priced(estimate("gpt-4o-audio-preview", "openai", audioCall, "batch"));
    expect(batch.costUsd).toBe("0.06275");
    expect(batch.breakdown).toMatchObject({ audioInput: "0.04", audioOutput: "0.02" });
    expect(batch.rules?.[0]).toMatch(/^batch = 0\.5 × standard prices/);
  });

  it("keeps the modality rates in the rate set, so an explanation adds up to the estimate", () => {
    const result = priced(estimate("gpt-4o-audio-preview", "openai", audioCall));
    const lines = result.rates.lines.filter((line) => line.bucket.startsWith("audio"));
    expect(lines).toEqual([
      { kind: "tokens", bucket: "audio_input", usage: "audioInputTokens", price: "40", per: 1_000_000 },
      { kind: "tokens", bucket: "audio_output", usage: "audioOutputTokens", price: "80", per: 1_000_000 },
    ]);
    expect(chargesOf(result.rates, audioCall).totalUsd).toBe(result.costUsd);
    // A text model's rate set has no modality lines (its lines, and so its ref, are as before).
    const text = priced(estimate("gpt-4o", "openai", { inputTokens: 10, outputTokens: 1 }));
    expect(text.rates.lines.map((line) => line.bucket)).toEqual([
      "input",
      "output",
      "cache_read",
      "cache_write",
      "cache_write_1h",
      "web_search",
    ]);
  });
});

describe("a modality without a rate", () => {
  it("flags the call, naming the bucket, never pricing it at the text rate", () => {
    for (const [model, provider, usage, bucket, tokens] of [
      ["gpt-4o", "openai", { inputTokens: 100, audioInputTokens: 10 }, "audio_input", 10],
      ["gemini-2.5-flash", "google", { outputTokens: 5, audioOutputTokens: 7 }, "audio_output", 7],
      ["gpt-audio", "openai", { imageOutputTokens: 3 }, "image_output", 3],
      ["claude-sonnet-4-5", "anthropic", { inputTokens: 1, audioInputTokens: 1 }, "audio_input", 1],
    ] as const) {
      const result = estimate(model, provider, usage);
      expect(result, model).toMatchObject({ priced: false, costUsd: "0" });
      if (!result.priced) {
        expect(result.reason).toBe(
          `the catalog has no ${bucket} price for ${result.model} (${tokens} tokens); not priced at the text rate`,
        );
      }
    }
  });

  it("prices the same model without modality tokens as before", () => {
    expect(priced(estimate("gpt-4o", "openai", { inputTokens: 1_000_000 })).costUsd).toBe("2.5");
  });
});

describe("bad modality usage", () => {
  it("refuses negative, fractional and oversized counts with the key and the problem", () => {
    expect(thrown(() => validateUsage({ inputTokens: 1, outputTokens: 1, audioInputTokens: -3 }))).toBe(
      "E_USAGE: usage.audioInputTokens must not be negative, got -3",
    );
    expect(thrown(() => validateUsage({ inputTokens: 1, outputTokens: 1, imageOutputTokens: 2.5 }))).toBe(
      "E_USAGE: usage.imageOutputTokens must be a whole number of tokens, got 2.5",
    );
    expect(thrown(() => validateUsage({ inputTokens: 1, outputTokens: 1, audioOutputTokens: "9" }))).toBe(
      "E_USAGE: usage.audioOutputTokens must be a number of tokens, got string",
    );
    expect(thrown(() => estimate("gpt-realtime", "openai", { audioOutputTokens: 2e9 }))).toBe(
      "E_USAGE: usage.audioOutputTokens must be at most 1000000000 tokens per call, got 2000000000",
    );
  });

  it("refuses a catalog price for a modality that is not a price, and a tier that leaves it out", () => {
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
    expect(problems({ input: "1", output: "2", audio_input: "40", image_output: "30" })).toBe("no error");
    expect(problems({ input: "1", audio_output: "-1" })).toContain(
      "$.models[0].prices[0].audio_output: expected a decimal string in dollars per million tokens",
    );
    expect(problems({ input: "1", audio_input: "4", tiers: [{ above: 1000, input: "2" }] })).toContain(
      "tiers[0].audio_input: a tier must price exactly the buckets its period prices",
    );
  });
});

describe("llm-ledger pricing estimate", () => {
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
  const call = [
    "pricing",
    "estimate",
    "--model",
    "gpt-4o-audio-preview",
    "--input",
    "1000",
    "--output",
    "300",
  ];

  it("takes the modality counts as flags and prints a row for each bucket used", async () => {
    const run = await ledger([...call, "--audio-input", "2000", "--audio-output", "500"]);
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/audioInput\s+2000\s+0\.08\n/);
    expect(run.stdout).toMatch(/audioOutput\s+500\s+0\.04\n/);
    expect(run.stdout).not.toContain("imageOutput");
    expect(run.stdout).toMatch(/total\s+3800\s+0\.1255\n/);
  });

  it("exits 1 for a bucket the model has no rate for, and 2 for a bad count", async () => {
    const unpriced = await ledger([...call, "--image-output", "10"]);
    expect(unpriced.exitCode).toBe(1);
    expect(unpriced.stdout).toContain(
      "not priced: the catalog has no image_output price for gpt-4o-audio-preview",
    );
    const negative = await ledger([...call, "--audio-input=-1"]);
    expect(negative.exitCode).toBe(2);
    expect(negative.stderr).toContain("--audio-input must be a whole number from 0 to 1000000000");
  });
});
