import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { decodeUtf8MarkingInvalid } from "./decode-utf8.js";
import { HttpError } from "./http-errors.js";

/**
 * Parses a request body as JSON, or a 400 saying it is not JSON. Invalid UTF-8 inside a string
 * arrives as lone surrogates, which the event parser refuses per event (see decode-utf8.ts).
 */
export async function readJson(request: Request): Promise<unknown> {
  const text = decodeUtf8MarkingInvalid(new Uint8Array(await request.arrayBuffer()));
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError("E_JSON", "the request body is not valid JSON");
  }
}

/**
 * Refuses a body larger than `maxSize` bytes with 413 `E_TOO_LARGE`: at once when its declared
 * `Content-Length` says so, else as soon as reading it passes the limit.
 */
export function limitBody(maxSize: number, message = "the request body is too large"): MiddlewareHandler {
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new HttpError("E_TOO_LARGE", message);
    },
  });
}
