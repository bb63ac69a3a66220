import { describe, expect, it } from "vitest";
import { formatPicoDollars, isPriceString, microsToPrice, priceToMicros } from "../../src/pricing/decimal.js";

describe("decimal money", () => {
  it.each([
    ["0", 0],
    ["3", 3_000_000],
    ["0.075", 75_000],
    ["22.5", 22_500_000],
    ["0.000001", 1],
    ["123456789.123456", 123_456_789_123_456],
  ])("price %s is %i micro-dollars per million tokens", (price, micros) => {
    expect(priceToMicros(price)).toBe(micros);
    expect(microsToPrice(micros)).toBe(price);
  });

  it.each(["0.0000001", "1e-7", "-1", "01", "1.", ".5", " 1", "1,5", "1234567890"])(
    "rejects price %j",
    (price) => {
      expect(isPriceString(price)).toBe(false);
    },
  );

  it.each([
    [0, "0"],
    [0n, "0"],
    [1, "0.000000000001"],
    [100_000, "0.0000001"],
    [1_000_000_000_000, "1"],
    [1_500_000_000_000, "1.5"],
    [90_000_000_000_000_000n, "90000"],
    [2n ** 70n, "1180591620.717411303424"],
  ])("%s pico-dollars is %s", (units, text) => {
    expect(formatPicoDollars(units)).toBe(text);
  });
});
