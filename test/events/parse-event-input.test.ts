import { describe, expect, it } from "vitest";
import { parseEventInput } from "../../src/events/index.js";

// The prototype-pollution check looks for the three dangerous keys with own-property checks before it
// lists any keys (it runs per event): these hold it to the behaviour of listing every key.
const base = { repo: "acme/api", taskType: "review", model: "gpt-4o", inputTokens: 1, outputTokens: 1 };

const reasonOf = (value: unknown, shape: "record" | "usage" = "record") => {
  const parsed = parseEventInput(value, shape, "raw");
  return parsed.ok ? "ok" : parsed.reason;
};

describe("parseEventInput: keys that could pollute a prototype", () => {
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

describe("parseEventInput: text that cannot be stored", () => {
  it("refuses a lone surrogate in every dimension and in metadata keys and values, naming where", () => {
    for (const field of ["repo", "taskType", "model", "provider", "userId", "sessionId", "environment"]) {
      expect(reasonOf({ ...base, [field]: "a\uD800" })).toBe(
        `${field} is not valid Unicode (a lone UTF-16 surrogate, or invalid UTF-8)`,
      );
      expect(reasonOf({ ...base, [field]: "\uDC00b" })).toMatch(/^\w+ is not valid Unicode/);
    }
    expect(reasonOf({ ...base, metadata: { note: "\uD800" } })).toBe(
      "metadata.note is not valid Unicode (a lone UTF-16 surrogate, or invalid UTF-8)",
    );
    expect(reasonOf({ ...base, metadata: JSON.parse(`{"a\\udfffb": 1}`) as unknown })).toBe(
      "metadata has a key that is not valid Unicode (a lone UTF-16 surrogate, or invalid UTF-8)",
    );
    expect(reasonOf({ ...base, metadata: { list: ["ok", "\uDBFF"] } })).toMatch(
      /^metadata\.list\[1\] is not/,
    );
  });

  it("keeps surrogate pairs, formula starts, newlines and tabs as they are", () => {
    for (const text of ["😀", "=SUM(A1)", "+1", "-1", "@x", "a\nb", "a\r\nb", "a\tb", "𝄞 clef"]) {
      const parsed = parseEventInput({ ...base, repo: text, metadata: { [text]: text } }, "record", "raw");
      expect(parsed.ok && parsed.input.repo).toBe(text);
      expect(parsed.ok && parsed.input.metadata).toEqual({ [text]: text });
    }
  });

  it("cleans free error text instead: lone surrogates and NULs become U+FFFD, a cut never splits a pair", () => {
    const parsed = parseEventInput({ ...base, error: "bad\uD800\u0000end" }, "record", "raw");
    expect(parsed.ok && parsed.input.error).toBe("bad\uFFFD\uFFFDend");
    // 7,999 letters then an emoji: a cut at 8,000 code units would keep only its high surrogate.
    const long = `${"x".repeat(7_999)}😀${"y".repeat(10)}`;
    const cut = parseEventInput({ ...base, error: long }, "record", "raw");
    expect(cut.ok && cut.input.error).toBe(`${"x".repeat(7_999)}…`);
    const pairKept = parseEventInput({ ...base, error: `${"x".repeat(7_998)}😀yy` }, "record", "raw");
    expect(pairKept.ok && pairKept.input.error).toBe(`${"x".repeat(7_998)}😀…`);
  });
});

describe("parseEventInput: createdAt", () => {
  const at = (createdAt: unknown) => {
    const parsed = parseEventInput({ ...base, createdAt }, "record", "raw");
    return parsed.ok ? parsed.input.createdAt : parsed.reason;
  };

  it("accepts ISO 8601 with a zone, a date alone (UTC midnight), a Date and epoch milliseconds", () => {
    expect(at("2026-12-03T10:15:00Z")).toBe(Date.UTC(2026, 11, 3, 10, 15));
    expect(at("2026-12-03T10:15:00.250+01:00")).toBe(Date.UTC(2026, 11, 3, 9, 15, 0, 250));
    expect(at("2026-12-03T10:15:00-0530")).toBe(Date.UTC(2026, 11, 3, 15, 45));
    expect(at("2026-12-03")).toBe(Date.UTC(2026, 11, 3));
    expect(at(new Date(Date.UTC(2025, 0, 1)))).toBe(Date.UTC(2025, 0, 1));
    expect(at(Date.UTC(2025, 0, 1, 1))).toBe(Date.UTC(2025, 0, 1, 1));
  });

  it("refuses what Date.parse would guess at: prose, impossible dates, times without a zone", () => {
    expect(at("March 7")).toMatch(/^createdAt must be an ISO 8601 time/);
    expect(at("Tue, 03 Dec 2026 10:00:00 GMT")).toMatch(/^createdAt must be an ISO 8601 time/);
    expect(at("2026-02-30")).toBe('createdAt "2026-02-30" is not a date and time that exists');
    expect(at("2026-12-03T24:00:00Z")).toMatch(/is not a date and time that exists/);
    expect(at("2026-12-03T10:00:00")).toMatch(/must say its time zone/);
    expect(at(true)).toMatch(/^createdAt must be an ISO 8601 string, a Date or epoch milliseconds/);
    expect(at(-1)).toBe("createdAt is not a valid time between 1970 and 9999");
  });
});

describe("parseEventInput: spanId", () => {
  it("keeps a span id of 16 hex digits in lower case, and absent as null", () => {
    const parsed = parseEventInput({ ...base, traceId: "t", spanId: "00F067AA0BA902B7" }, "record", "raw");
    expect(parsed.ok && parsed.input.spanId).toBe("00f067aa0ba902b7");
    const absent = parseEventInput(base, "record", "raw");
    expect(absent.ok && absent.input.spanId).toBeNull();
  });

  it("refuses any other shape with a reason that quotes it", () => {
    expect(reasonOf({ ...base, spanId: "00f067aa0ba902b" })).toBe(
      'spanId must be 16 hexadecimal digits, got "00f067aa0ba902b"',
    );
    expect(reasonOf({ ...base, spanId: "00f067aa0ba902bz" })).toBe(
      'spanId must be 16 hexadecimal digits, got "00f067aa0ba902bz"',
    );
    expect(reasonOf({ ...base, spanId: 42 })).toBe("spanId must be 16 hexadecimal digits, got number");
    expect(reasonOf({ ...base, spanId: "00f067aa0ba902b7\n" })).toBe(
      'spanId must be 16 hexadecimal digits, got "00f067aa0ba902b7\\n"',
    );
  });
});
