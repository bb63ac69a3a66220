// The protobufjs reader the trace decoder hands a body to. protobufjs still walks the wire format by
// the official schema and builds the messages; this reader only changes how two kinds of field
// become values, both for the cost of a batch of spans:
// - `bytes`: the ids (trace, span, parent, link; and AnyValue's `bytesValue`, which no mapping reads,
//   as OTLP/JSON's walk drops it too) come out as lower-case hex text, written straight from the body,
//   where protobufjs made a Buffer view per id that the decoder then turned into hex anyway.
// - small int64 values (every token count) come out as numbers, where protobufjs made a Long (and
//   the halves it is built from) for each.
// - short strings: attribute keys and most values repeat in every span of a batch
//   (`gen_ai.usage.input_tokens`, the model, the operation), so a string whose bytes were seen earlier
//   in the same body is the same string again, not a fresh copy through Node's UTF-8 decoder. Fewer
//   strings to allocate and collect, and one key's hash is computed once for every map it enters.
import protobuf from "protobufjs";

/**
 * Node's Buffer methods behind `toString(encoding, start, end)`, without its argument checks: the
 * ones protobufjs' own reader calls (it reads strings with `utf8Slice` too).
 */
interface SlicingBuffer extends Buffer {
  hexSlice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
}

/** The part of protobufjs' BufferReader this one builds on: its public fields and varint read. */
interface BufferReaderBase {
  buf: SlicingBuffer;
  pos: number;
  len: number;
  uint32(): number;
}

const BufferReader = protobuf.BufferReader as unknown as new (buffer: Buffer) => BufferReaderBase;

/** Strings up to this many bytes are looked up among those seen (longer ones rarely repeat). */
const maxSharedBytes = 64;
/** Slots of the table of seen strings (a power of two); a collision only costs a fresh copy. */
const slots = 512;

class OtlpReader extends BufferReader {
  // Where in the body each slot's string was read, and the string.
  private readonly starts = new Int32Array(slots).fill(-1);
  private readonly lengths = new Int32Array(slots);
  private readonly texts: string[] = new Array<string>(slots).fill("");

  /** A length-delimited `bytes` field as lower-case hex ("" when empty). */
  bytes(): string {
    const length = this.uint32();
    const start = this.pos;
    const end = start + length;
    if (end > this.len) throw new RangeError(`index out of range: ${start} + ${length} > ${this.len}`);
    this.pos = end;
    return this.buf.hexSlice(start, end);
  }

  /**
   * An int64 field. A varint that ends within four bytes holds a value below 2^28, the same number
   * whether read as int64 or uint32, so protobufjs' uint32 read gives it as a number; a longer one
   * (large or negative) is read by protobufjs' int64, as before. Every token count is such a value;
   * this saves a Long and its halves per count.
   */
  int64(): unknown {
    const buf = this.buf;
    // `len` is the end of the message being read (protobufjs narrows it to each nested one).
    const last = Math.min(this.pos + 4, this.len);
    for (let index = this.pos; index < last; index++) if (buf[index]! < 128) return this.uint32();
    // protobufjs' own read: a Long with the `long` package, as protobufjs 7 has it.
    return protobuf.Reader.prototype.int64.call(this as unknown as protobuf.Reader);
  }

  /** A string field, as protobufjs' BufferReader reads it (cut at the body's end), shared when seen. */
  string(): string {
    const declared = this.uint32();
    const buf = this.buf;
    const start = this.pos;
    const end = Math.min(start + declared, this.len);
    this.pos = end;
    const length = end - start;
    if (length > maxSharedBytes || length === 0) return buf.utf8Slice(start, end);
    // The slot from the length and a few bytes (keys share prefixes, so the last ones): the bytes are
    // compared in full below, so a weak hash only costs a miss.
    const last = end - 1;
    const hash =
      length * 7919 +
      buf[start]! * 31 +
      buf[last]! * 131 +
      buf[last - (length >> 1)]! * 17 +
      buf[last - (length >> 2)]!;
    const slot = hash & (slots - 1);
    const seen = this.starts[slot]!;
    if (seen >= 0 && this.lengths[slot] === length && sameBytes(buf, seen, start, end)) {
      return this.texts[slot]!;
    }
    const text = buf.utf8Slice(start, end);
    this.starts[slot] = start;
    this.lengths[slot] = length;
    this.texts[slot] = text;
    return text;
  }
}

/** Whether `buf` holds the same bytes at `other` as from `start` to `end`. */
function sameBytes(buf: Buffer, other: number, start: number, end: number): boolean {
  for (let index = start; index < end; index++) if (buf[other + index - start] !== buf[index]) return false;
  return true;
}

/**
 * A protobufjs reader over `bytes`: ids decode as hex text, small int64 values as numbers, repeated
 * short strings as one string.
 */
export function otlpReader(bytes: Buffer): protobuf.Reader {
  return new OtlpReader(bytes) as unknown as protobuf.Reader;
}
