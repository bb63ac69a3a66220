import { createReadStream } from "node:fs";
import { decodeUtf8MarkingInvalid } from "../server/decode-utf8.js";

/**
 * The lines of a file (LF or CRLF), each decoded on its own so that invalid UTF-8 is marked as lone
 * surrogates (which the line's parser refuses, naming the line) instead of silently becoming U+FFFD
 * as a text stream would make it.
 */
export async function* readLines(file: string): AsyncGenerator<string> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of createReadStream(file)) {
    pending = pending.length === 0 ? (chunk as Buffer) : Buffer.concat([pending, chunk as Buffer]);
    let start = 0;
    let newline = pending.indexOf(0x0a, start);
    while (newline !== -1) {
      yield decodeLine(pending.subarray(start, newline));
      start = newline + 1;
      newline = pending.indexOf(0x0a, start);
    }
    pending = pending.subarray(start);
  }
  if (pending.length > 0) yield decodeLine(pending);
}

function decodeLine(bytes: Buffer): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  return decodeUtf8MarkingInvalid(bytes.subarray(0, end));
}
