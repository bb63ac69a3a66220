import { describe, expect, it } from "vitest";
import { isTransient } from "../../src/tracker/retry-policy.js";

const withCode = (code: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`failed with ${code}`), { code, ...extra });

describe("isTransient", () => {
  it("believes an error that says whether it is transient", () => {
    expect(isTransient(withCode("23505", { transient: true }))).toBe(true);
    expect(isTransient(withCode("ECONNREFUSED", { transient: false }))).toBe(false);
  });

  it("refuses an engine error of SQLSTATE class 22 or 23, here or on a cause", () => {
    expect(isTransient(withCode("22003"))).toBe(false);
    expect(isTransient(withCode("23514"))).toBe(false);
    expect(isTransient(Object.assign(new Error("x"), { sqlState: "23505" }))).toBe(false);
    expect(isTransient(new Error("wrapped", { cause: withCode("22P02") }))).toBe(false);
  });

  it("keeps everything else: network errors, shutdowns, overload, unknown failures", () => {
    for (const error of [
      withCode("ECONNREFUSED"),
      withCode("57P01"),
      withCode("53300"),
      withCode("42P01"),
      new Error("socket hang up"),
      "a string",
      null,
    ]) {
      expect(isTransient(error), String(error)).toBe(true);
    }
  });
});
