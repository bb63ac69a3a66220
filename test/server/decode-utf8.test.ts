import { describe, expect, it } from "vitest";
import { decodeUtf8MarkingInvalid } from "../../src/server/decode-utf8.js";

const decode = (...bytes: number[]) => decodeUtf8MarkingInvalid(new Uint8Array(bytes));

describe("decodeUtf8MarkingInvalid", () => {
  it("decodes valid UTF-8 exactly as TextDecoder does, BOM removed", () => {
    const text = "ascii é € 😀 𝄞 \u0000 \uFFFD";
    expect(decodeUtf8MarkingInvalid(new TextEncoder().encode(text))).toBe(text);
    expect(decode(0xef, 0xbb, 0xbf, 0x41)).toBe("A");
  });

  it("marks each byte of an invalid sequence as a lone low surrogate U+DC80–U+DCFF", () => {
    expect(decode(0x41, 0x80, 0x42)).toBe("A\uDC80B");
    // A truncated three-byte sequence, then valid text.
    expect(decode(0xe2, 0x82, 0x41)).toBe("\uDCE2\uDC82A");
    // Overlong NUL, an encoded surrogate (U+D800) and a code point above U+10FFFF.
    expect(decode(0xc0, 0x80)).toBe("\uDCC0\uDC80");
    expect(decode(0xed, 0xa0, 0x80)).toBe("\uDCED\uDCA0\uDC80");
    expect(decode(0xf4, 0x90, 0x80, 0x80)).toBe("\uDCF4\uDC90\uDC80\uDC80");
    expect(decode(0xff)).toBe("\uDCFF");
    // The valid sequences around them survive.
    expect(decode(0xf0, 0x9f, 0x98, 0x80, 0xff, 0xc3, 0xa9)).toBe("😀\uDCFFé");
  });

  it("never yields U+FFFD for an invalid byte, so a replacement can never pass as the client's text", () => {
    for (let byte = 0x80; byte <= 0xff; byte++) expect(decode(0x61, byte)).not.toContain("\uFFFD");
  });
});
