// Issue #17: the service tier and the per-unit counters at the edge. Hostile text is either read as a
// tier name in canonical form (what the column's check accepts) or refused with a precise reason,
// never stored half-cleaned; the counters take whole numbers only, in the flat and the usage shapes.
import { describe, expect, it } from "vitest";
import { parseEventInput } from "../../src/events/index.js";
import { hostileValues, seededRandom } from "../support/hostile-text.js";

const base = { repo: "acme/api", taskType: "review", model: "gpt-4o", inputTokens: 1, outputTokens: 1 };
const columnCheck = /^[a-z][a-z0-9_-]{0,31}$/;

describe("serviceTier", () => {
  it("reads hostile text as a canonical tier name or refuses it, never anything the column refuses", () => {
    const values = [
      ...hostileValues(seededRandom(17), 200),
      "Batch",
      " flex ",
      "DEFAULT",
      "priority",
      "fast",
    ];
    for (const value of values) {
      const parsed = parseEventInput({ ...base, serviceTier: value }, "record", "raw");
      if (parsed.ok) {
        expect(parsed.input.serviceTier, JSON.stringify(value)).toMatch(columnCheck);
      } else {
        expect(parsed.reason, JSON.stringify(value)).toMatch(
          /^serviceTier must be a tier name of 1 to 32 letters/,
        );
      }
    }
    const tierOf = (value: string) => {
      const parsed = parseEventInput({ ...base, serviceTier: value }, "record", "raw");
      return parsed.ok ? parsed.input.serviceTier : parsed.reason;
    };
    expect(["Batch", " flex ", "DEFAULT", "fast", "scale"].map(tierOf)).toEqual([
      "batch",
      "flex",
      "standard",
      "priority",
      "scale",
    ]);
  });

  it("is null when absent or null, and refused when it is not text", () => {
    const parsed = parseEventInput({ ...base, serviceTier: null }, "record", "raw");
    expect(parsed.ok && parsed.input.serviceTier).toBeNull();
    const refused = parseEventInput({ ...base, serviceTier: ["batch"] }, "record", "raw");
    expect(refused.ok ? "ok" : refused.reason).toBe("serviceTier must be a string, got object");
  });
});

describe("webSearchRequests", () => {
  it("is read beside the tokens: flat for track, inside usage for trackUsage", () => {
    const flat = parseEventInput({ ...base, webSearchRequests: 4 }, "record", "raw");
    expect(flat.ok && flat.input.webSearchRequests).toBe(4);
    const { inputTokens: _input, outputTokens: _output, ...rest } = base;
    const nested = parseEventInput(
      { ...rest, usage: { inputTokens: 1, outputTokens: 1, webSearchRequests: 2 } },
      "usage",
      "raw",
    );
    expect(nested.ok && nested.input.webSearchRequests).toBe(2);
    const absent = parseEventInput(base, "record", "raw");
    expect(absent.ok && absent.input.webSearchRequests).toBe(0);
  });

  it("refuses what is not a whole number of requests, naming where it was", () => {
    const reason = (value: unknown, shape: "record" | "usage" = "record") => {
      const { inputTokens: _input, outputTokens: _output, ...rest } = base;
      const event =
        shape === "record"
          ? { ...base, webSearchRequests: value }
          : { ...rest, usage: { inputTokens: 1, outputTokens: 1, webSearchRequests: value } };
      const parsed = parseEventInput(event, shape, "raw");
      return parsed.ok ? "ok" : parsed.reason;
    };
    expect(reason(1.5)).toBe("webSearchRequests must be a whole number from 0 to 1000000000, got 1.5");
    expect(reason("3")).toBe("webSearchRequests must be a whole number from 0 to 1000000000, got string");
    expect(reason(Number.NaN, "usage")).toBe(
      "usage.webSearchRequests must be a whole number from 0 to 1000000000, got NaN",
    );
    expect(reason(1e12)).toBe(
      "webSearchRequests must be a whole number from 0 to 1000000000, got 1000000000000",
    );
  });
});
