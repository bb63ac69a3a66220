// Issue #17, time-of-day prices: DeepSeek bills twice its off-peak rate on weekdays 01:00-04:00
// and 06:00-10:00 UTC (api-docs.deepseek.com/quick_start/pricing: off-peak $0.15 / $0.60 / cache
// hit $0.003 for deepseek-flash, peak $0.30 / $1.20 / $0.006; deepseek-v4-pro $0.66 / $1.98 / $0.022,
// peak twice that). The call's time picks the window; the estimate and its kept rates name it.
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  chargesOf,
  createPricing,
  type CostEstimate,
  type PricedEstimate,
  type Usage,
} from "../../src/pricing/index.js";
import { seededRandom } from "../support/hostile-text.js";

const pricing = createPricing();
const MILLION = { inputTokens: 1_000_000, outputTokens: 1_000_000, cacheReadTokens: 1_000_000 };
const OFF_PEAK = "0.753"; // 0.15 + 0.60 + 0.003
const PEAK = "1.506"; // 0.30 + 1.20 + 0.006
const FIRST_WINDOW = "peak, weekdays 01:00-04:00 UTC";

function estimate(at: string | undefined, model = "deepseek-flash", usage: Usage = MILLION): CostEstimate {
  return pricing.estimateCost({ model, provider: "deepseek", usage, at });
}

function priced(result: CostEstimate): PricedEstimate {
  if (!result.priced) throw new Error(`not priced: ${result.reason}`);
  return result;
}

afterEach(() => vi.useRealTimers());

describe("DeepSeek's peak hours", () => {
  it("bills a call at Tuesday 02:30 UTC twice one at 05:00, and names the window", () => {
    // 2026-12-01 is a Tuesday.
    const peak = priced(estimate("2026-12-01T02:30:00Z"));
    const offPeak = priced(estimate("2026-12-01T05:00:00Z"));
    expect(peak.costUsd).toBe(PEAK);
    expect(offPeak.costUsd).toBe(OFF_PEAK);
    expect(peak.timeOfDay).toBe(FIRST_WINDOW);
    expect(offPeak.timeOfDay).toBeUndefined();
    expect(peak.breakdown).toMatchObject({ input: "0.3", output: "1.2", cacheRead: "0.006" });
    expect(priced(estimate("2026-12-01T08:15:00Z")).timeOfDay).toBe("peak, weekdays 06:00-10:00 UTC");
  });

  it("bills Saturday and Sunday at the off-peak rate in the same hours", () => {
    for (const at of ["2026-12-05T02:30:00Z", "2026-12-06T07:00:00Z"]) {
      const result = priced(estimate(at));
      expect(result.costUsd, at).toBe(OFF_PEAK);
      expect(result.timeOfDay, at).toBeUndefined();
    }
  });

  it.each([
    ["2026-12-01T00:59:59.999Z", OFF_PEAK],
    ["2026-12-01T01:00:00.000Z", PEAK],
    ["2026-12-01T03:59:59.999Z", PEAK],
    ["2026-12-01T04:00:00.000Z", OFF_PEAK],
    ["2026-12-01T05:59:59.999Z", OFF_PEAK],
    ["2026-12-01T06:00:00.000Z", PEAK],
    ["2026-12-01T09:59:59.999Z", PEAK],
    ["2026-12-01T10:00:00.000Z", OFF_PEAK],
    ["2026-12-04T09:30:00+02:00", PEAK], // Friday 07:30 UTC, the offset read
    ["2026-12-07T01:00:00Z", PEAK], // Monday
  ])("a call at %s costs %s (from inclusive, to exclusive)", (at, cost) => {
    expect(priced(estimate(at)).costUsd).toBe(cost);
  });

  it("prices deepseek-v4-pro and the legacy deepseek-v4-flash by the same hours, from 2026-08-17 only", () => {
    // Tuesday 2026-12-01 07:00 UTC: V4 Pro peak 1.32 + 3.96 + 0.044.
    expect(priced(estimate("2026-12-01T07:00:00Z", "deepseek-v4-pro")).costUsd).toBe("5.324");
    expect(priced(estimate("2026-12-01T11:00:00Z", "deepseek-v4-pro")).costUsd).toBe("2.662");
    // V4 Flash's 2026-08-17 period: peak 0.44 + 1.32 + 0.014 on Tuesday 2026-08-18.
    expect(priced(estimate("2026-08-18T02:00:00Z", "deepseek-v4-flash")).costUsd).toBe("1.774");
    // Before peak billing (Tuesday 2026-08-11) the flat price: 0.14 + 0.28 + 0.0028.
    const before = priced(estimate("2026-08-11T02:00:00Z", "deepseek-v4-flash"));
    expect(before.costUsd).toBe("0.4228");
    expect(before.timeOfDay).toBeUndefined();
  });

  it.each(["deepseek-flash", "deepseek-v4-pro", "deepseek-v4-flash"])(
    "%s has its windows from 2026-08-17, with the page and the day they were compared",
    (model) => {
      const { entry } = pricing.resolveModel(model, "deepseek")!;
      expect(entry).toMatchObject({
        source: "https://api-docs.deepseek.com/quick_start/pricing",
        checked: "2026-12-04",
      });
      for (const period of entry.prices) {
        const peakBilling = (period.from ?? "") >= "2026-08-17" || model === "deepseek-flash";
        expect(
          period.time_of_day?.map((window) => `${window.from}-${window.to}`),
          period.from,
        ).toEqual(peakBilling ? ["01:00-04:00", "06:00-10:00"] : undefined);
      }
    },
  );

  it("keeps the peak rates with the estimate: they add up to its cost and name the window", () => {
    const usage = { inputTokens: 12_345, outputTokens: 6_789, cacheReadTokens: 4_321 };
    const peak = priced(estimate("2026-12-01T02:30:00Z", "deepseek-flash", usage));
    const offPeak = priced(estimate("2026-12-01T05:00:00Z", "deepseek-flash", usage));
    expect(chargesOf(peak.rates, usage).totalUsd).toBe(peak.costUsd);
    expect(peak.rates.timeOfDay).toEqual({
      name: "peak",
      days: ["mon", "tue", "wed", "thu", "fri"],
      from: "01:00",
      to: "04:00",
      timeZone: "UTC",
      label: FIRST_WINDOW,
    });
    expect(peak.rates.lines.find((line) => line.bucket === "input")!.price).toBe("0.3");
    expect(peak.rates.ref).not.toBe(offPeak.rates.ref);
    expect(offPeak.rates.timeOfDay).toBeUndefined();
    // Each window keeps one rate set, reused by every call in it.
    expect(priced(estimate("2026-12-02T03:00:00Z", "deepseek-flash", usage)).rates).toBe(peak.rates);
  });

  it("without a time, prices the call at the clock's hour", () => {
    vi.useFakeTimers({ now: new Date("2026-12-01T02:30:00Z"), toFake: ["Date"] });
    expect(priced(estimate(undefined))).toMatchObject({ costUsd: PEAK, timeOfDay: FIRST_WINDOW });
    vi.setSystemTime(new Date("2026-12-01T12:00:00Z"));
    expect(priced(estimate(undefined)).costUsd).toBe(OFF_PEAK);
  });

  it("is peak exactly inside a window, for random instants and usage (and exactly twice off-peak)", () => {
    const random = seededRandom(1717);
    const start = Date.parse("2026-09-10T00:00:00Z");
    const span = 400 * 86_400_000;
    // Half the instants land within a second of a window's edge, where off-by-one errors live.
    const edges = [1, 4, 6, 10].map((hour) => hour * 3_600_000);
    for (let round = 0; round < 2_000; round++) {
      let ms = start + Math.floor(random() * span);
      if (round % 2 === 0) {
        const day = ms - (ms % 86_400_000);
        ms = day + edges[Math.floor(random() * edges.length)]! + Math.floor(random() * 2_000) - 1_000;
      }
      const date = new Date(ms);
      const hour = date.getUTCHours();
      const weekday = date.getUTCDay() >= 1 && date.getUTCDay() <= 5;
      const inside = weekday && ((hour >= 1 && hour < 4) || (hour >= 6 && hour < 10));
      const usage = {
        inputTokens: Math.floor(random() * 2_000_000),
        outputTokens: Math.floor(random() * 100_000),
        cacheReadTokens: Math.floor(random() * 500_000),
      };
      const at = date.toISOString();
      const result = priced(estimate(at, "deepseek-flash", usage));
      const offPeak = priced(estimate("2026-12-05T12:00:00Z", "deepseek-flash", usage));
      expect(result.timeOfDay !== undefined, at).toBe(inside);
      const pico = (value: string) => {
        const [whole, fraction = ""] = value.split(".");
        return BigInt(whole! + fraction.padEnd(12, "0"));
      };
      expect(pico(result.costUsd), at).toBe(pico(offPeak.costUsd) * (inside ? 2n : 1n));
    }
  });
});
