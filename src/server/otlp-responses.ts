// What POST /v1/traces answers, in the encoding of the request as OTLP/HTTP requires: an
// ExportTraceServiceResponse (with `partialSuccess` when some spans were refused), or for an error a
// google.rpc.Status with the HTTP status and headers the service's one error table gave it.
import type { Context, MiddlewareHandler } from "hono";
import { otlpSchema } from "../integrations/opentelemetry/index.js";
import type { OtlpEncoding } from "./otlp-body.js";

const protobufType = "application/x-protobuf";

/** The success answer: empty, or `partialSuccess` with the count and reasons of the refused spans. */
export function exportResponse(
  encoding: OtlpEncoding,
  rejected: { count: number; message: string },
): { body: Uint8Array<ArrayBuffer> | string; contentType: string } {
  const partialSuccess =
    rejected.count > 0 ? { rejectedSpans: rejected.count, errorMessage: rejected.message } : undefined;
  if (encoding === "json") {
    // int64 is a decimal string in the protobuf JSON mapping.
    const body = partialSuccess
      ? { partialSuccess: { ...partialSuccess, rejectedSpans: String(rejected.count) } }
      : {};
    return { body: JSON.stringify(body), contentType: "application/json" };
  }
  const { response } = otlpSchema();
  const message = response.fromObject(partialSuccess ? { partialSuccess } : {});
  // Copied into a buffer of its own: protobufjs may hand out a view of a shared pool.
  return { body: new Uint8Array(response.encode(message).finish()), contentType: protobufType };
}

// gRPC status codes (google.rpc.Code) for the HTTP statuses the route answers with.
const grpcCodes: Readonly<Record<number, number>> = {
  400: 3, // INVALID_ARGUMENT
  401: 16, // UNAUTHENTICATED
  403: 7, // PERMISSION_DENIED
  404: 5, // NOT_FOUND
  413: 3, // INVALID_ARGUMENT: the batch must be split, retrying it as it is cannot succeed
  415: 3,
  429: 8, // RESOURCE_EXHAUSTED
  503: 14, // UNAVAILABLE
};

/**
 * Re-renders an error answer of the routes after it (the guards' 401/403/429, the body limit's 413,
 * the handler's 400 and 503) as a `Status` in the request's encoding, keeping its status and headers.
 */
export function otlpErrorBodies(): MiddlewareHandler {
  return async (context, next) => {
    await next();
    if (context.error === undefined || context.res.status < 400) return;
    const encoding: OtlpEncoding = /json/i.test(context.req.header("content-type") ?? "")
      ? "json"
      : "protobuf";
    context.res = await statusAnswer(context, encoding);
  };
}

async function statusAnswer(context: Context, encoding: OtlpEncoding): Promise<Response> {
  const original = context.res;
  const described = (await original.json().catch(() => ({}))) as {
    error?: { code?: string; message?: string };
  };
  const message = described.error
    ? `${described.error.code ?? "E_INTERNAL"}: ${described.error.message ?? ""}`
    : original.statusText || "error";
  const status = { code: grpcCodes[original.status] ?? 13, message };
  const headers = new Headers(original.headers);
  let body: Uint8Array<ArrayBuffer> | string;
  if (encoding === "json") {
    body = JSON.stringify(status);
    headers.set("content-type", "application/json");
  } else {
    const type = otlpSchema().status;
    body = new Uint8Array(type.encode(type.fromObject(status)).finish());
    headers.set("content-type", protobufType);
  }
  headers.delete("content-length");
  return new Response(body, { status: original.status, headers });
}
