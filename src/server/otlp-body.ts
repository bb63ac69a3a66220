// The body of an OTLP/HTTP request: its encoding from Content-Type, gzip undone under a cap on the
// decompressed size (a small compressed body can expand a thousandfold), and its spans decoded.
import { promisify } from "node:util";
import { gunzip } from "node:zlib";
import { decodeJsonSpans, decodeProtobufSpans, type OtlpSpan } from "../integrations/opentelemetry/index.js";
import { decodeUtf8MarkingInvalid } from "./decode-utf8.js";
import { HttpError, parseClientInput } from "./http-errors.js";

const gunzipAsync = promisify(gunzip);

/** The two encodings of OTLP/HTTP. */
export type OtlpEncoding = "protobuf" | "json";

/** The encoding a request's Content-Type names, or a 415. */
export function encodingOf(contentType: string | undefined): OtlpEncoding {
  const type = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/x-protobuf" || type === "application/protobuf") return "protobuf";
  if (type === "application/json") return "json";
  throw new HttpError("E_CONTENT_TYPE", "OTLP/HTTP bodies are application/x-protobuf or application/json");
}

/** The request body's bytes, gunzipped when `Content-Encoding: gzip`, at most `maxBytes` once decompressed. */
export async function readOtlpBytes(request: Request, maxBytes: number): Promise<Uint8Array> {
  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  if (encoding !== "gzip" && encoding !== "identity") {
    throw new HttpError("E_CONTENT_TYPE", "Content-Encoding must be gzip or absent");
  }
  const bytes = new Uint8Array(await request.arrayBuffer());
  if (encoding === "identity") return bytes;
  try {
    return await gunzipAsync(bytes, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_BUFFER_TOO_LARGE") {
      throw new HttpError(
        "E_TOO_LARGE",
        `the decompressed body is larger than ${maxBytes} bytes; export smaller batches`,
      );
    }
    throw new HttpError("E_OTLP_BODY", "the body is not valid gzip");
  }
}

/** The spans of a body in `encoding`; an undecodable body is a 400. */
export function decodeOtlpBody(bytes: Uint8Array, encoding: OtlpEncoding): OtlpSpan[] {
  return parseClientInput(() => {
    if (encoding === "protobuf") return decodeProtobufSpans(bytes);
    let body: unknown;
    try {
      body = JSON.parse(decodeUtf8MarkingInvalid(bytes)) as unknown;
    } catch {
      throw new HttpError("E_JSON", "the request body is not valid JSON");
    }
    return decodeJsonSpans(body);
  });
}
