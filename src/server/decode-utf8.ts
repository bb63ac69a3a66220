// Request bodies are decoded so that invalid UTF-8 is never silently rewritten: `Request.text()`
// turns every invalid byte into U+FFFD, which would store a different grouping key than the client
// meant. Here each invalid byte becomes a lone low surrogate (U+DC80–U+DCFF, as Python's
// "surrogateescape" does), which no valid text contains, so the event parser refuses exactly the
// events that carried such bytes, with a reason, and accepts the rest of the request.

const strict = new TextDecoder("utf-8", { fatal: true });

/** Decodes `bytes` as UTF-8; each byte of an invalid sequence becomes U+DC80 + (byte − 0x80). */
export function decodeUtf8MarkingInvalid(bytes: Uint8Array): string {
  try {
    return strict.decode(bytes);
  } catch {
    return decodeSlowly(bytes);
  }
}

function decodeSlowly(bytes: Uint8Array): string {
  const parts: string[] = [];
  let start = 0;
  let index = 0;
  while (index < bytes.length) {
    const length = validSequenceLength(bytes, index);
    if (length > 0) {
      index += length;
      continue;
    }
    parts.push(strict.decode(bytes.subarray(start, index)), String.fromCharCode(0xdc00 + bytes[index]!));
    index += 1;
    start = index;
  }
  parts.push(strict.decode(bytes.subarray(start)));
  return parts.join("");
}

/** The length of the well-formed UTF-8 sequence at `index` (Unicode table 3-7), or 0. */
function validSequenceLength(bytes: Uint8Array, index: number): number {
  const lead = bytes[index]!;
  if (lead < 0x80) return 1;
  const next = (offset: number, low = 0x80, high = 0xbf) => {
    const byte = bytes[index + offset];
    return byte !== undefined && byte >= low && byte <= high;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return next(1) ? 2 : 0;
  if (lead === 0xe0) return next(1, 0xa0) && next(2) ? 3 : 0;
  if (lead === 0xed) return next(1, 0x80, 0x9f) && next(2) ? 3 : 0;
  if (lead >= 0xe1 && lead <= 0xef) return next(1) && next(2) ? 3 : 0;
  if (lead === 0xf0) return next(1, 0x90) && next(2) && next(3) ? 4 : 0;
  if (lead === 0xf4) return next(1, 0x80, 0x8f) && next(2) && next(3) ? 4 : 0;
  if (lead >= 0xf1 && lead <= 0xf3) return next(1) && next(2) && next(3) ? 4 : 0;
  return 0;
}
