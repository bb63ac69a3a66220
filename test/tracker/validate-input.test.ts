import { describe, expect, it } from "vitest";
import { parseTrackInput } from "../../src/tracker/validate-input.js";

// The prototype-pollution check looks for the three dangerous keys with own-property checks before it
// lists any keys (it runs per event): these hold it to the behaviour of listing every key.
const base = { repo: "acme/api", taskType: "review", model: "gpt-4o", inputTokens: 1, outputTokens: 1 };

const reasonOf = (value: unknown, shape: "record" | "usage" = "record") => {
  const parsed = parseTrackInput(value, shape, "raw");
  return parsed.ok ? "ok" : parsed.reason;
};

describe("parseTrackInput: keys that could pollute a prototype", () => {
  it("refuses __proto__, constructor and prototype as own keys, and names the first in key order", () => {
    expect(reasonOf(JSON.parse(`{"__proto__":{"polluted":true},"repo":"a"}`))).toBe(
      'key "__proto__" is not allowed (prototype pollution)',
    );
    expect(reasonOf({ ...base, constructor: { prototype: {} } })).toBe(
      'key "constructor" is not allowed (prototype pollution)',
    );
    expect(reasonOf({ ...base, prototype: 1 })).toBe('key "prototype" is not allowed (prototype pollution)');
    expect(reasonOf({ ...base, prototype: 1, constructor: 2 })).toBe(
      'key "prototype" is not allowed (prototype pollution)',
    );
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it("refuses them inside usage too, with the usage. prefix", () => {
    const usage = JSON.parse(`{"inputTokens":1,"outputTokens":1,"__proto__":{"x":1}}`) as unknown;
    expect(reasonOf({ repo: "a", taskType: "b", model: "m", usage }, "usage")).toBe(
      'key "usage.__proto__" is not allowed (prototype pollution)',
    );
    const constructorKey = { inputTokens: 1, outputTokens: 1, constructor: 1 };
    expect(reasonOf({ repo: "a", taskType: "b", model: "m", usage: constructorKey }, "usage")).toBe(
      'key "usage.constructor" is not allowed (prototype pollution)',
    );
  });

  it("accepts ordinary objects, class instances and objects without a prototype", () => {
    expect(reasonOf(base)).toBe("ok");
    expect(reasonOf(Object.assign(Object.create(null) as object, base))).toBe("ok");
    class Call {
      repo = "acme/api";
      taskType = "review";
      model = "gpt-4o";
      inputTokens = 1;
      outputTokens = 1;
    }
    expect(reasonOf(new Call())).toBe("ok");
    // An inherited (not own) constructor is not the caller's key.
    expect(reasonOf(Object.create({ constructor: 1, repo: "inherited" }) as object)).toBe(
      "outputTokens is required",
    );
  });

  it("ignores a non-enumerable own key, as listing the keys did", () => {
    const value = { ...base };
    Object.defineProperty(value, "constructor", { value: 1, enumerable: false });
    expect(reasonOf(value)).toBe("ok");
  });
});
