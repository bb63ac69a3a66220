import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { LedgerError } from "../errors.js";
import { guardedLookup } from "./guarded-lookup.js";
import { isInternalAddress } from "./internal-address.js";

/** How a catalog is fetched over HTTP(S). */
export interface FetchLimits {
  /** The whole exchange (connect, headers, body, redirects) must finish within this; default 10 s. */
  timeoutMs?: number | undefined;
  /** A larger body is refused; default 20 MiB (the shipped catalog is about 0.3 MiB). */
  maxBytes?: number | undefined;
  /** Allow loopback, private, link-local and unique-local addresses (tests, an intranet mirror). */
  allowInternalUrls?: boolean | undefined;
  /** Abandons the fetch (a service shutting down does not wait for a slow catalog host). */
  signal?: AbortSignal | undefined;
}

export const DEFAULT_FETCH_TIMEOUT_MS = 10_000;
export const DEFAULT_MAX_CATALOG_BYTES = 20 * 1024 * 1024;
const MAX_REDIRECTS = 3;

/** A URL as recorded and printed: without a password or a query string (either may carry a private mirror's token). */
export function describeUrl(from: string): string {
  try {
    const url = new URL(from);
    if (url.password) url.password = "***";
    const query = url.search ? "?…" : "";
    url.search = "";
    url.hash = "";
    return url.href + query;
  } catch {
    return from;
  }
}

function failure(url: string, message: string, cause?: unknown): LedgerError {
  return new LedgerError(
    "E_PRICING_FETCH",
    `${describeUrl(url)}: ${message}`,
    cause === undefined ? {} : { cause },
  );
}

function refusal(url: string, address: string): LedgerError {
  return new LedgerError(
    "E_PRICING_URL_INTERNAL",
    `${describeUrl(url)}: refused, the host resolves to the internal address ${address} (allow it with --allow-internal-urls)`,
  );
}

function getOnce(
  url: URL,
  limits: Required<Omit<FetchLimits, "signal">>,
  signal: AbortSignal,
): Promise<IncomingMessage> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // A literal IP never goes through the lookup, so it is judged here.
  if (!limits.allowInternalUrls && isIP(host) !== 0 && isInternalAddress(host)) {
    return Promise.reject(refusal(url.href, host));
  }
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: "GET",
      headers: { accept: "application/json", "user-agent": "llm-ledger pricing update" },
      signal,
      ...(limits.allowInternalUrls
        ? {}
        : {
            lookup: guardedLookup(
              (address) => refusal(url.href, address),
              () => failure(url.href, "the host has no address"),
            ),
          }),
    });
    outgoing.once("response", resolve);
    outgoing.once("error", reject);
    outgoing.end();
  });
}

async function readBody(response: IncomingMessage, url: string, maxBytes: number): Promise<string> {
  const declared = Number(response.headers["content-length"]);
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.destroy();
    throw failure(url, `the file is ${declared} bytes, above the ${maxBytes}-byte limit`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) {
      response.destroy();
      throw failure(url, `the file is larger than the ${maxBytes}-byte limit`);
    }
    chunks.push(chunk);
  }
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.concat(chunks));
  } catch (error) {
    throw failure(url, "the file is not valid UTF-8", error);
  }
}

/**
 * GETs a text file over HTTP(S) with a deadline, a size cap, at most 3 redirects, and (unless
 * allowed) no connection to an internal address, checked after DNS resolution. Throws `LedgerError`
 * `E_PRICING_FETCH` (network, status, size, time) or `E_PRICING_URL_INTERNAL`.
 */
export async function fetchText(address: string, options: FetchLimits = {}): Promise<string> {
  const limits: Required<Omit<FetchLimits, "signal">> = {
    timeoutMs: options.timeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_CATALOG_BYTES,
    allowInternalUrls: options.allowInternalUrls ?? false,
  };
  let url: URL;
  try {
    url = new URL(address);
  } catch (error) {
    throw failure(address, "not a valid URL", error);
  }
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), limits.timeoutMs);
  const abandon = () => controller.abort();
  options.signal?.addEventListener("abort", abandon, { once: true });
  try {
    for (let redirects = 0; ; redirects += 1) {
      if (url.protocol !== "https:" && url.protocol !== "http:") {
        throw failure(url.href, "only http: and https: URLs are fetched");
      }
      const response = await getOnce(url, limits, controller.signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location !== undefined) {
        response.resume();
        if (redirects === MAX_REDIRECTS) throw failure(address, `more than ${MAX_REDIRECTS} redirects`);
        url = new URL(location, url);
        continue;
      }
      if (status !== 200) {
        response.resume();
        throw failure(
          url.href,
          `HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ""}`,
        );
      }
      return await readBody(response, url.href, limits.maxBytes);
    }
  } catch (error) {
    if (options.signal?.aborted) throw failure(address, "abandoned", error);
    if (controller.signal.aborted) {
      throw failure(address, `no complete answer within ${limits.timeoutMs} ms`, error);
    }
    if (error instanceof LedgerError) throw error;
    throw failure(url.href, (error as Error).message, error);
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", abandon);
  }
}
