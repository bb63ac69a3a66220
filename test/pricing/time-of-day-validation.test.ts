// Time-of-day windows in the catalog format: every mistake is refused with the field that holds it,
// by the validator the shipped data, `pricing update` bundles and overrides share; windows in a time
// zone with daylight saving follow its clock; a service tier has no price inside a window.
import { describe, expect, it } from "vitest";
import { isLedgerError } from "../../src/errors.js";
import {
  createPricing,
  validateCatalogBundle,
  validateOverrides,
  validateProviderFile,
} from "../../src/pricing/index.js";

const peak = {
  name: "peak",
  days: ["mon", "tue", "wed", "thu", "fri"],
  from: "01:00",
  to: "04:00",
  time_zone: "UTC",
  input: "0.3",
  output: "1.2",
};

function providerFile(timeOfDay: unknown, period: Record<string, unknown> = {}) {
  return {
    provider: "deepseek",
    name: "DeepSeek",
    source: "https://api-docs.deepseek.com/quick_start/pricing",
    checked: "2026-12-04",
    models: [{ id: "m", prices: [{ input: "0.15", output: "0.6", ...period, time_of_day: timeOfDay }] }],
  };
}

function problemsOf(check: () => unknown): string {
  try {
    check();
  } catch (error) {
    if (isLedgerError(error)) return error.message;
    throw error;
  }
  throw new Error("accepted");
}

const at = "f: $.models[0].prices[0].time_of_day";

describe("time_of_day validation", () => {
  it("accepts DeepSeek's windows and a window that ends at 24:00", () => {
    const late = { ...peak, from: "20:00", to: "24:00" };
    expect(() =>
      validateProviderFile(providerFile([peak, { ...peak, from: "06:00", to: "10:00" }, late]), "f"),
    ).not.toThrow();
  });

  it.each([
    [
      "a day name it does not know",
      [{ ...peak, days: ["mon", "tues"] }],
      `${at}[0].days[1]: "tues" is not a day (expected mon, tue, wed, thu, fri, sat, sun)`,
    ],
    ["a day listed twice", [{ ...peak, days: ["mon", "mon"] }], `${at}[0].days[1]: "mon" is listed twice`],
    ["no days", [{ ...peak, days: [] }], `${at}[0].days: expected a non-empty array of days`],
    [
      "from after to",
      [{ ...peak, from: "05:00", to: "04:00" }],
      `${at}[0].to: 04:00 is not after from 05:00 (a window cannot cross midnight: split it in two)`,
    ],
    [
      "from equal to to",
      [{ ...peak, from: "04:00", to: "04:00" }],
      `${at}[0].to: 04:00 is not after from 04:00`,
    ],
    [
      "an hour that is none",
      [{ ...peak, from: "1:00" }],
      `${at}[0].from: expected a time HH:MM from 00:00 to 23:59, got "1:00"`,
    ],
    [
      "minutes past 59",
      [{ ...peak, to: "04:60" }],
      `${at}[0].to: expected a time HH:MM from 00:01 to 24:00, got "04:60"`,
    ],
    [
      "an unknown time zone",
      [{ ...peak, time_zone: "Mars/Olympus_Mons" }],
      `${at}[0].time_zone: expected "UTC" or an IANA time zone, got "Mars/Olympus_Mons"`,
    ],
    [
      "two time zones",
      [peak, { ...peak, from: "06:00", to: "10:00", time_zone: "Asia/Shanghai" }],
      `${at}[1].time_zone: "Asia/Shanghai" differs from the first window's "UTC"`,
    ],
    [
      "overlapping windows",
      [peak, { ...peak, days: ["fri", "sat"], from: "03:00", to: "05:00" }],
      `${at}[1]: overlaps ${at.slice(3)}[0] on fri (an instant must have one price)`,
    ],
    [
      "a bucket its period does not price",
      [{ ...peak, cache_read: "0.006" }],
      `${at}[0].cache_read: a window must price exactly the buckets its period prices`,
    ],
    [
      "a missing bucket",
      [{ ...peak, output: undefined }],
      `${at}[0].output: a window must price exactly the buckets its period prices`,
    ],
    ["a price that is no price", [{ ...peak, input: 0.3 }], `${at}[0].input: expected a decimal string`],
    ["an unknown key", [{ ...peak, multiplier: "2" }], `${at}[0].multiplier: unknown key`],
    ["no name", [{ ...peak, name: "" }], `${at}[0].name: expected a short name such as "peak"`],
    ["no windows", [], `${at}: expected a non-empty array of windows`],
  ])("refuses %s, naming the field", (_case, windows, message) => {
    expect(problemsOf(() => validateProviderFile(providerFile(windows), "f"))).toContain(message);
  });

  it("refuses windows beside context tiers or service tiers (not modelled)", () => {
    const tiers = { tiers: [{ above: 1000, input: "1", output: "2" }] };
    expect(problemsOf(() => validateProviderFile(providerFile([peak], tiers), "f"))).toContain(
      `${at}: cannot be combined with tiers in one period (not modelled)`,
    );
    expect(
      problemsOf(() => validateProviderFile(providerFile([peak], { service_tiers: { batch: "0.5" } }), "f")),
    ).toContain(`${at}: cannot be combined with service_tiers in one period (not modelled)`);
  });

  it("gives the same errors for a `pricing update` bundle and an overrides file", () => {
    const bad = [{ ...peak, days: ["monday"] }];
    const bundle = { format: "llm-ledger-catalog/1", date: "2026-12-04", providers: [providerFile(bad)] };
    expect(problemsOf(() => validateCatalogBundle(bundle, "b"))).toContain(
      `$.providers[0]: $.models[0].prices[0].time_of_day[0].days[0]: "monday" is not a day`,
    );
    const overrides = { models: [{ provider: "deepseek", ...providerFile(bad).models[0] }] };
    expect(problemsOf(() => validateOverrides(overrides, "o"))).toContain(
      `o: $.models[0].prices[0].time_of_day[0].days[0]: "monday" is not a day`,
    );
  });
});

describe("windows in overrides", () => {
  const office = { ...peak, name: "office hours", from: "09:00", to: "17:00", time_zone: "America/New_York" };

  it("follows a zone's daylight saving clock", () => {
    const pricing = createPricing({
      overrides: { models: [{ provider: "deepseek", ...providerFile([office]).models[0] }] },
    });
    const cost = (at: string) =>
      pricing.estimateCost({
        model: "m",
        provider: "deepseek",
        usage: { inputTokens: 1_000_000, outputTokens: 0 },
        at,
      });
    // 13:30 UTC is 09:30 in New York in July (EDT) and 08:30 in December (EST).
    expect(cost("2026-07-01T13:30:00Z")).toMatchObject({
      costUsd: "0.3",
      timeOfDay: "office hours, weekdays 09:00-17:00 America/New_York",
    });
    expect(cost("2026-12-01T13:30:00Z")).toMatchObject({ costUsd: "0.15" });
    expect(cost("2026-12-01T14:00:00Z")).toMatchObject({ costUsd: "0.3" });
    // Friday 16:59 in New York is Friday 21:59 UTC in December; Saturday 00:30 UTC is Friday evening there.
    expect(cost("2026-12-04T21:59:00Z")).toMatchObject({ costUsd: "0.3" });
    expect(cost("2026-12-05T00:30:00Z")).toMatchObject({ costUsd: "0.15" });
  });

  it("leaves a service tier unpriced inside a window, never priced at the off-window price", () => {
    // Anthropic's file prices batch at half (a provider-wide rule that reaches its overrides).
    const model = {
      provider: "anthropic",
      id: "claude-peaky-1",
      prices: [{ input: "1", output: "2", time_of_day: [{ ...peak, input: "2", output: "4" }] }],
    };
    const pricing = createPricing({ overrides: { models: [model] } });
    const call = (at: string) =>
      pricing.estimateCost({
        model: "claude-peaky-1",
        provider: "anthropic",
        usage: { inputTokens: 1_000_000, outputTokens: 0 },
        at,
        serviceTier: "batch",
      });
    expect(call("2026-12-01T12:00:00Z")).toMatchObject({
      priced: true,
      costUsd: "0.5",
      serviceTier: "batch",
    });
    const inside = call("2026-12-01T02:00:00Z");
    expect(inside.priced).toBe(false);
    if (inside.priced) return;
    expect(inside.reason).toBe(
      "the catalog has no batch price for claude-peaky-1 during peak, weekdays 01:00-04:00 UTC; not priced at the off-window price",
    );
  });
});
