// The trace decoder's protobufjs reader (otlp-reader.ts) gives every field the value protobufjs' own
// reader gives, but for ids as hex: strings it shares between spans are the right ones even when two
// different strings land in the same slot of its table, and text that is not valid UTF-8 or cut
// short by the body's end reads as protobufjs reads it.
import { describe, expect, it } from "vitest";
import { decodeProtobufSpans, otlpSchema } from "../../../src/integrations/opentelemetry/index.js";
import { otlpReader } from "../../../src/integrations/opentelemetry/otlp-reader.js";

const traceId = Buffer.from("5b8efff798038103d269b633813fc60c", "hex");

/** An export of spans whose attributes are `keys`, each valued with its own key (ids from the index). */
function exportOf(spans: readonly string[][]): Buffer {
  const { request } = otlpSchema();
  const message = request.fromObject({
    resourceSpans: [
      {
        scopeSpans: [
          {
            spans: spans.map((keys, index) => ({
              traceId,
              spanId: Buffer.from((index + 1).toString(16).padStart(16, "0"), "hex"),
              name: "chat",
              attributes: keys.map((key) => ({ key, value: { stringValue: `${key}=` } })),
            })),
          },
        ],
      },
    ],
  });
  return Buffer.from(request.encode(message).finish());
}

describe("the OTLP reader", () => {
  it("reads each string as protobufjs does, also when different strings share a slot", () => {
    // Same length, same first and last bytes and the same bytes where the slot is sampled: they
    // differ only at the second byte, so each lookup finds the other's string in its slot.
    const twins = ["a0cdefgh", "a1cdefgh", "a2cdefgh"];
    const spans = [twins, [...twins].reverse(), [twins[1]!, twins[1]!, twins[0]!]];
    const decoded = decodeProtobufSpans(exportOf(spans));
    expect(decoded.map((span) => [...span.attributes.keys()])).toEqual([
      twins,
      [...twins].reverse(),
      [twins[1], twins[0]],
    ]);
    expect(decoded[2]!.attributes.get("a0cdefgh")).toBe("a0cdefgh=");
    expect(decoded[1]!.traceId).toBe(traceId.toString("hex"));
    expect(decoded[1]!.spanId).toBe("0000000000000002");
  });

  it("gives the same message as protobufjs' reader, ids aside, for long, multi-byte and invalid text", () => {
    const { request } = otlpSchema();
    const long = "x".repeat(200);
    const body = exportOf([
      ["gen_ai.request.model", long, "é€😀"],
      ["gen_ai.request.model", long],
    ]);
    // Invalid UTF-8 in a key: the same bytes twice (0xff 0xfe are never valid).
    const invalid = Buffer.from(body);
    const at = invalid.indexOf("gen_ai");
    invalid[at] = 0xff;
    invalid[at + 1] = 0xfe;
    const ours = request.toObject(request.decode(otlpReader(invalid)), { longs: String });
    const theirs = request.toObject(request.decode(invalid), { longs: String, bytes: String });
    // protobufjs' `bytes: String` is base64: ours are hex text already.
    const spansOf = (message: Record<string, unknown>) =>
      (message as { resourceSpans: { scopeSpans: { spans: Record<string, unknown>[] }[] }[] })
        .resourceSpans[0]!.scopeSpans[0]!.spans;
    for (const span of spansOf(theirs)) {
      span.traceId = Buffer.from(span.traceId as string, "base64").toString("hex");
      span.spanId = Buffer.from(span.spanId as string, "base64").toString("hex");
    }
    expect(ours).toEqual(theirs);
    expect(JSON.stringify(ours)).toContain("\uFFFD\uFFFD");
  });

  it("reads int64 values as protobufjs does, around the four-byte varints it reads as numbers", () => {
    const { root } = otlpSchema().request;
    const anyValue = root.lookupType("opentelemetry.proto.common.v1.AnyValue");
    type Decoded = { arrayValue: { values: { intValue: { toString(): string } }[] } };
    for (const value of ["0", "127", "128", "268435455", "268435456", "4294967296", "-1", "-268435455"]) {
      // In a list with a string after it: the varint is not the last thing in the body.
      const message = { arrayValue: { values: [{ intValue: value }, { stringValue: "after" }] } };
      const bytes = Buffer.from(anyValue.encode(anyValue.fromObject(message)).finish());
      const ours = (anyValue.decode(otlpReader(bytes)) as unknown as Decoded).arrayValue.values[0]!;
      const theirs = (anyValue.decode(bytes) as unknown as Decoded).arrayValue.values[0]!;
      expect(String(ours.intValue)).toBe(value);
      expect(String(ours.intValue)).toBe(theirs.intValue.toString());
      // Below 2^28 a number; beyond it, or negative, protobufjs' Long.
      const small = /^\d+$/.test(value) && Number(value) < 2 ** 28;
      expect(typeof ours.intValue).toBe(small ? "number" : "object");
    }
    // A value that ends its message (protobufjs reads each nested message up to its own end).
    const alone = Buffer.from(anyValue.encode(anyValue.fromObject({ intValue: "5" })).finish());
    expect((anyValue.decode(otlpReader(alone)) as unknown as { intValue: unknown }).intValue).toBe(5);
  });

  it("cuts a string at the body's end, as protobufjs does, and refuses bytes past it", () => {
    const { root } = otlpSchema().request;
    // A KeyValue whose key claims 10 bytes with 3 left: protobufjs reads the 3 (no error).
    const keyValue = Buffer.from([0x0a, 0x0a, 0x61, 0x62, 0x63]);
    const keyValueType = root.lookupType("opentelemetry.proto.common.v1.KeyValue");
    expect(keyValueType.decode(otlpReader(keyValue))).toEqual(keyValueType.decode(keyValue));
    expect((keyValueType.decode(otlpReader(keyValue)) as unknown as { key: string }).key).toBe("abc");
    // A span id that claims more bytes than the body holds is an error, as with protobufjs' reader.
    const span = Buffer.from([0x12, 0x08, 0x01, 0x02]);
    const spanType = root.lookupType("opentelemetry.proto.trace.v1.Span");
    expect(() => spanType.decode(span)).toThrow(RangeError);
    expect(() => spanType.decode(otlpReader(span))).toThrow(RangeError);
  });
});
