// OTLP's 64-bit integers as protobufjs decodes them: a `Long` (two 32-bit halves) when the `long`
// package is present, as it is with protobufjs 7, else a number. Turned into numbers here without the
// text round trip of `toObject({ longs: String })`, and exactly.

/** The halves of a 64-bit integer, as protobufjs' `Long` holds them. */
export interface LongBits {
  low: number;
  high: number;
  unsigned: boolean;
  toString(): string;
}

const twoTo32 = 4_294_967_296;

/**
 * An int64 attribute value: a number when it is a safe integer, else its exact decimal text (as the
 * OTLP/JSON walk keeps an integer a number cannot hold).
 */
export function int64Value(value: LongBits | number): number | string {
  if (typeof value === "number") return Number.isSafeInteger(value) ? value : String(value);
  const high = value.unsigned ? value.high >>> 0 : value.high;
  // Exact whenever the result is a safe integer; beyond that the text is.
  const number = high * twoTo32 + (value.low >>> 0);
  return Number.isSafeInteger(number) ? number : value.toString();
}

/**
 * Nanoseconds since the epoch (a fixed64) as whole milliseconds, rounded down, exactly: 2^32 ns is
 * 4,294 ms and 967,296 ns, so the sum below never passes 2^53 where the plain product would.
 */
export function millisecondsOfNanos(value: LongBits | number): number {
  if (typeof value === "number") return Math.floor(value / 1_000_000);
  const high = value.high >>> 0;
  return high * 4_294 + Math.floor((high * 967_296 + (value.low >>> 0)) / 1_000_000);
}
