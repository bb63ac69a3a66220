// Bill amounts stay exact decimal text: JSON numbers of dollars, cents shifted to dollars, file text.
import { expect, it } from "vitest";
import { canonicalAmount, numberToAmount, shiftLeft } from "../../src/bills/bill-amount.js";

it("reads plain decimals canonically and refuses anything else", () => {
  expect(["1.50", "007", "-0", "-0.000", "0.10", "-12.340"].map(canonicalAmount)).toEqual([
    "1.5",
    "7",
    "0",
    "0",
    "0.1",
    "-12.34",
  ]);
  for (const bad of ["", "1e3", "$1", "1,5", "1.", ".5", "+1", "NaN", "1".repeat(41)]) {
    expect(canonicalAmount(bad), bad).toBeUndefined();
  }
});

it("turns a JSON number into the decimal it was written as, exponents spelled out", () => {
  expect([0.06, 1.2345, 0.0000015, 1e-7, 2.5e21, -3.25e-10, 123456789.123].map(numberToAmount)).toEqual([
    "0.06",
    "1.2345",
    "0.0000015",
    "0.0000001",
    "2500000000000000000000",
    "-0.000000000325",
    "123456789.123",
  ]);
  expect(numberToAmount(Number.NaN)).toBeUndefined();
  expect(numberToAmount(Number.POSITIVE_INFINITY)).toBeUndefined();
});

it("shifts cents to dollars exactly", () => {
  expect(["123.45", "0.5", "1000.0001", "-7", "0", "5"].map((cents) => shiftLeft(cents, 2))).toEqual([
    "1.2345",
    "0.005",
    "10.000001",
    "-0.07",
    "0",
    "0.05",
  ]);
});
