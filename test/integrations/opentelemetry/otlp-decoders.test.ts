// The two decoders of an export, protobuf (read from protobufjs' messages) and OTLP/JSON (hex ids,
// 64-bit integers as text or numbers), give the same spans for the same export, down to every
// attribute kind, integers past 2^53, nested lists, dropped keys and absent fields.
import { describe, expect, it } from "vitest";
import {
  decodeJsonSpans,
  decodeProtobufSpans,
  otlpSchema,
} from "../../../src/integrations/opentelemetry/index.js";
import { millisecondsOfNanos } from "../../../src/integrations/opentelemetry/long-bits.js";
import { hostileValues, seededRandom } from "../../support/hostile-text.js";

type Json = Record<string, unknown>;

/** One export in OTLP/JSON: every AnyValue kind, edge integers, repeated and dangerous keys. */
function jsonExport(hostile: readonly string[]): Json {
  const attributes = [
    { key: "s", value: { stringValue: "text" } },
    { key: "b", value: { boolValue: false } },
    { key: "i", value: { intValue: "-5" } },
    { key: "big", value: { intValue: "9223372036854775807" } },
    { key: "small", value: { intValue: "-9223372036854775808" } },
    { key: "safe", value: { intValue: String(Number.MAX_SAFE_INTEGER) } },
    { key: "unsafe", value: { intValue: "9007199254740993" } },
    { key: "d", value: { doubleValue: 1.5 } },
    { key: "empty", value: {} },
    { key: "none" },
    { key: "list", value: { arrayValue: { values: [{ stringValue: "a" }, { intValue: "2" }, {}] } } },
    {
      key: "map",
      value: {
        kvlistValue: {
          values: [
            { key: "inner", value: { boolValue: true } },
            { key: "constructor", value: { stringValue: "dropped" } },
            {
              key: "deep",
              value: { kvlistValue: { values: [{ key: "x", value: { doubleValue: -0.25 } }] } },
            },
          ],
        },
      },
    },
    { key: "s", value: { stringValue: "a repeated key keeps its first value" } },
    { key: "__proto__", value: { stringValue: "dropped" } },
    ...hostile.map((value, index) => ({ key: `hostile.${index}`, value: { stringValue: value } })),
  ];
  return {
    resourceSpans: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "acme/web" } }] },
        scopeSpans: [
          {
            scope: { name: "test" },
            spans: [
              {
                traceId: "5b8efff798038103d269b633813fc60c",
                spanId: "eee19b7ec3c1b174",
                parentSpanId: "eee19b7ec3c1b173",
                name: "chat",
                startTimeUnixNano: "1767225600123456789",
                endTimeUnixNano: "18446744073709551615",
                status: { code: 2, message: "boom" },
                attributes,
              },
              // A span with nothing set: empty ids, no times, no status.
              { name: "" },
            ],
          },
          { scope: { name: "empty" } },
        ],
      },
      // A group without a resource.
      {
        scopeSpans: [
          { spans: [{ traceId: "00000000000000000000000000000001", spanId: "0000000000000001" }] },
        ],
      },
    ],
  };
}

/** The same export as protobuf bytes, through the official schema (ids as bytes). */
function protobufOf(request: Json): Uint8Array {
  const withBytes = JSON.parse(JSON.stringify(request), (key, value: unknown) =>
    (key === "traceId" || key === "spanId" || key === "parentSpanId") && typeof value === "string"
      ? Buffer.from(value, "hex")
      : value,
  ) as Json;
  const { request: type } = otlpSchema();
  return type.encode(type.fromObject(withBytes)).finish();
}

describe("the protobuf and JSON decoders", () => {
  it("give the same spans for the same export", () => {
    // Text protobuf can carry: a lone surrogate has no UTF-8 form (the JSON route refuses it instead).
    const hostile = hostileValues(seededRandom(7), 40).filter(
      (value) => Buffer.from(value).toString() === value,
    );
    const request = jsonExport(hostile);
    const fromJson = decodeJsonSpans(request);
    const bytes = protobufOf(request);
    // A plain Uint8Array (as the route reads an identity body) and a Buffer (as gunzip returns one).
    const fromProtobuf = decodeProtobufSpans(new Uint8Array(bytes));
    expect(fromProtobuf).toEqual(fromJson);
    expect(decodeProtobufSpans(Buffer.from(bytes))).toEqual(fromJson);
    const first = fromProtobuf[0]!;
    expect(first.attributes.get("big")).toBe("9223372036854775807");
    expect(first.attributes.get("small")).toBe("-9223372036854775808");
    expect(first.attributes.get("safe")).toBe(Number.MAX_SAFE_INTEGER);
    expect(first.attributes.get("unsafe")).toBe("9007199254740993");
    expect(first.attributes.get("i")).toBe(-5);
    expect(first.attributes.get("s")).toBe("text");
    expect(first.attributes.has("__proto__")).toBe(false);
    expect(first.attributes.get("map")).toEqual({ inner: true, deep: { x: -0.25 } });
    expect(first.startMs).toBe(1767225600123);
    expect(first.endMs).toBe(18446744073709);
    expect(fromProtobuf[1]).toMatchObject({ traceId: "", spanId: "", parentSpanId: "", startMs: undefined });
    expect(fromProtobuf).toHaveLength(3);
  });

  it("turn nanoseconds into whole milliseconds exactly, across the whole fixed64 range", () => {
    const random = seededRandom(64);
    const samples = [0n, 999_999n, 1_000_000n, 4_294_967_295n, 4_294_967_296n, 2n ** 64n - 1n];
    for (let index = 0; index < 2_000; index++) {
      samples.push(
        BigInt(Math.floor(random() * 2 ** 32)) * 2n ** 32n + BigInt(Math.floor(random() * 2 ** 32)),
      );
    }
    for (const nanos of samples) {
      const bits = {
        low: Number(BigInt.asIntN(32, nanos)),
        high: Number(BigInt.asIntN(32, nanos >> 32n)),
        unsigned: true,
        toString: () => nanos.toString(),
      };
      expect(millisecondsOfNanos(bits)).toBe(Number(nanos / 1_000_000n));
    }
  });
});
