// Issue #17, third-party prices confirmed: OpenAI's realtime and audio entries came from the imported package
// alone. Their prices were compared with OpenAI's model pages (stored copies, 2026-12-04) and match;
// each entry now names the page it was compared with and the day (docs/catalog-review.md).
import { describe, expect, it } from "vitest";
import { createPricing } from "../../src/pricing/index.js";

const pricing = createPricing();

// spelling, entry, the model page, and the page's prices: text input / cached / output, audio in / out
// (gpt-audio lists no cached price: its rate set bills cache reads at the input rate, as it always did).
const PAGES = [
  ["gpt-realtime-1.5", "gpt-realtime", "gpt-realtime-1.5", ["4", "0.4", "16", "32", "64"]],
  ["gpt-realtime-2", "gpt-realtime-2", "gpt-realtime-2", ["4", "0.4", "24", "32", "64"]],
  ["gpt-realtime-2.1-mini", "gpt-realtime-mini", "gpt-realtime-2.1-mini", ["0.6", "0.06", "2.4", "10", "20"]],
  [
    "gpt-4o-realtime-preview",
    "gpt-4o-realtime-preview",
    "gpt-4o-realtime-preview",
    ["5", "2.5", "20", "40", "80"],
  ],
  ["gpt-audio-2025-08-28", "gpt-audio", "gpt-audio", ["2.5", "2.5", "10", "32", "64"]],
  [
    "gpt-4o-mini-realtime-preview",
    "gpt-4o-mini-realtime-preview",
    "gpt-4o-mini-realtime-preview",
    ["0.6", "0.3", "2.4", "10", "20"],
  ],
] as const;

describe("OpenAI realtime and audio entries, compared with OpenAI's model pages", () => {
  it.each(PAGES)(
    "%s is priced as its model page lists, and says where from",
    (spelling, entry, page, prices) => {
      const estimate = pricing.estimateCost({
        model: spelling,
        provider: "openai",
        usage: { inputTokens: 1, outputTokens: 1 },
      });
      expect(estimate.priced).toBe(true);
      if (!estimate.priced) return;
      const rates = estimate.rates;
      expect(rates.catalogId).toBe(entry);
      expect(rates.source).toBe(`https://developers.openai.com/api/docs/models/${page}`);
      expect(rates.checked).toBe("2026-12-04");
      const price = (bucket: string) => rates.lines.find((line) => line.bucket === bucket)?.price;
      expect(["input", "cache_read", "output", "audio_input", "audio_output"].map(price)).toEqual([
        ...prices,
      ]);
    },
  );
});
