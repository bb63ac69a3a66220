import { describe, expect, it } from "vitest";
import { parseBudgetChanges, parseBudgetSpec } from "../../src/budgets/index.js";
import { isLedgerError } from "../../src/errors.js";

const valid = { name: "api-monthly", period: "month", amountUsd: "500" };

function refusal(input: unknown): string {
  try {
    parseBudgetSpec(input);
  } catch (error) {
    if (isLedgerError(error, "E_BUDGET_SPEC")) return error.message;
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(input)}`);
}

describe("budget specs", () => {
  it("fills the defaults: UTC, thresholds 50/80/100, no scope, no per, no action, the default targets", () => {
    expect(parseBudgetSpec(valid)).toEqual({
      name: "api-monthly",
      period: "month",
      amountUsd: "500",
      scope: {},
      per: null,
      timeZone: "UTC",
      thresholds: [50, 80, 100],
      action: null,
      notify: [],
      project: null,
    });
  });

  it("keeps every field given, canonical: amounts without trailing zeros, thresholds sorted once, zone names spelled as IANA does", () => {
    expect(
      parseBudgetSpec({
        ...valid,
        amountUsd: "12.500000",
        scope: { repo: ["acme/api", "acme/api", null], "metadata.team": "search" },
        per: "userId",
        period: "rolling:7d",
        timeZone: "europe/berlin",
        thresholds: [100, 25, 80, 25],
        action: "block",
        notify: ["webhook:https://hooks.example.com/a", "slack:https://hooks.slack.com/services/T/B/x"],
      }),
    ).toEqual({
      name: "api-monthly",
      amountUsd: "12.5",
      scope: { repo: ["acme/api", null], "metadata.team": ["search"] },
      per: "userId",
      period: "rolling:7d",
      timeZone: "Europe/Berlin",
      thresholds: [25, 80, 100],
      action: "block",
      notify: ["webhook:https://hooks.example.com/a", "slack:https://hooks.slack.com/services/T/B/x"],
      project: null,
    });
    expect(parseBudgetSpec({ ...valid, amountUsd: 500 }).amountUsd).toBe("500");
  });

  it.each([
    [{ ...valid, scope: { team: ["x"] } }, /^scope: unknown dimension "team"; accepted: repo, taskType/],
    [{ ...valid, scope: { repo: [] } }, /^scope\.repo: expected 1 to 1000 values, got 0/],
    [{ ...valid, scope: { repo: [""] } }, /^scope\.repo: values must be non-empty strings or null/],
    [{ ...valid, scope: { repo: ["a\uD800"] } }, /^scope\.repo: a value is not valid Unicode/],
    [{ ...valid, scope: ["repo=x"] }, /^scope: expected an object of dimension → values/],
    [{ ...valid, per: "user" }, /^per: unknown dimension "user"/],
    [
      { ...valid, amountUsd: "-5" },
      /^amountUsd: expected a positive amount in US dollars as a decimal string/,
    ],
    [{ ...valid, amountUsd: "0" }, /^amountUsd: expected a positive amount/],
    [{ ...valid, amountUsd: "1e3" }, /^amountUsd: expected a positive amount.*got "1e3"/],
    [{ ...valid, amountUsd: "5.1234567" }, /^amountUsd: .*6 decimals/],
    [{ ...valid, amountUsd: 0.1 }, /^amountUsd: .*got 0\.1/],
    [{ ...valid, thresholds: [0, 50] }, /^thresholds: each must be a whole percentage from 1 to 1000, got 0/],
    [
      { ...valid, thresholds: [1001] },
      /^thresholds: each must be a whole percentage from 1 to 1000, got 1001/,
    ],
    [{ ...valid, thresholds: [50.5] }, /^thresholds: .*got 50\.5/],
    [{ ...valid, thresholds: [] }, /^thresholds: expected 1 to 20 percentages/],
    [{ ...valid, timeZone: "Mars/Olympus" }, /^timeZone: unknown time zone "Mars\/Olympus"/],
    [{ ...valid, period: "year" }, /^period: expected day, week, month or rolling:Nd .*got "year"/],
    [{ ...valid, period: "rolling:0d" }, /^period: .*got "rolling:0d"/],
    [{ ...valid, period: "rolling:400d" }, /^period: .*got "rolling:400d"/],
    [{ ...valid, period: "rolling:7h" }, /^period: .*got "rolling:7h"/],
    [
      { ...valid, notify: ["email:ops@example.com"] },
      /^notify\[0\]: unknown target scheme "email"; accepted: webhook:URL, slack:URL/,
    ],
    [{ ...valid, notify: ["webhook:not a url"] }, /^notify\[0\]: "not a url" is not a URL/],
    [{ ...valid, notify: ["webhook:ftp://example.com/x"] }, /^notify\[0\]: the URL must be http or https/],
    [
      { ...valid, notify: ["webhook:https://user:pw@example.com/"] },
      /^notify\[0\]: the URL must not carry a user name or password/,
    ],
    [{ ...valid, action: "warn" }, /^action: expected "block" or null, got "warn"/],
    [{ ...valid, name: "123" }, /^name: must not be only digits/],
    [{ ...valid, name: "a\u0007b" }, /^name: contains a control character/],
    [{ ...valid, name: "" }, /^name: expected 1 to 200 characters/],
    [{ ...valid, colour: "red" }, /^colour: unknown field; accepted: name, scope/],
    [{ period: "month", amountUsd: "5" }, /^name: required/],
    [{ name: "x", period: "month" }, /^amountUsd: required/],
    [null, /^expected an object/],
  ])("refuses %j naming the field", (input, message) => {
    expect(refusal(input)).toMatch(message);
  });

  it("checks only the fields an update gives", () => {
    expect(parseBudgetChanges({ amountUsd: "750" })).toEqual({ amountUsd: "750" });
    expect(() => parseBudgetChanges({ thresholds: [2000] })).toThrow(/^thresholds: /);
  });
});
