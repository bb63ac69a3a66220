import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { LedgerError } from "../errors.js";
import { guardedLookup, isInternalAddress } from "../pricing-updates/index.js";

/** How a provider's report API is called. */
export interface RequestPolicy {
  /** Each attempt (connect, headers, body) must finish within this; default 30 s. */
  timeoutMs?: number | undefined;
  /** Attempts in all for a page answered 429, 5xx or not at all; default 4. */
  attempts?: number | undefined;
  /** The first backoff; doubled per attempt, with jitter; default 1 s. */
  retryBaseMs?: number | undefined;
  /** The longest wait a `Retry-After` may ask for; a longer one waits this long; default 60 s. */
  maxRetryAfterMs?: number | undefined;
  /** Allow loopback, private and link-local addresses (a test's fake provider, an internal proxy). */
  allowInternalUrls?: boolean | undefined;
  signal?: AbortSignal | undefined;
}

/** An answer that is not retried: its status and body as text. */
export interface ProviderAnswer {
  status: number;
  text: string;
}

const MAX_BYTES = 20 * 1024 * 1024;

/** The URL as printed: without a query string (page cursors) or credentials. */
export function shownUrl(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

function getOnce(url: URL, headers: Record<string, string>, policy: RequestPolicy, signal: AbortSignal) {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  const refuse = (address: string) =>
    new LedgerError(
      "E_BILLS_URL_INTERNAL",
      `${shownUrl(url)}: refused, the host resolves to the internal address ${address} (give --api-base on the command line, or --allow-internal-urls, to allow it)`,
    );
  if (!policy.allowInternalUrls && isIP(host) !== 0 && isInternalAddress(host)) {
    return Promise.reject(refuse(host));
  }
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const outgoing = send(url, {
      method: "GET",
      headers: { accept: "application/json", "user-agent": "llm-ledger bills import", ...headers },
      signal,
      ...(policy.allowInternalUrls
        ? {}
        : {
            lookup: guardedLookup(
              refuse,
              () => new LedgerError("E_BILLS_FETCH", `${shownUrl(url)}: the host has no address`),
            ),
          }),
    });
    outgoing.once("response", resolve);
    outgoing.once("error", reject);
    outgoing.end();
  });
}

async function readText(response: IncomingMessage, url: URL): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BYTES) {
      response.destroy();
      throw new LedgerError(
        "E_BILLS_FETCH",
        `${shownUrl(url)}: the answer is larger than ${MAX_BYTES} bytes`,
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Milliseconds a `Retry-After` header asks for (seconds or an HTTP date), if it is readable. */
export function retryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * GETs one page of a provider's report: a deadline per attempt, no internal addresses unless
 * allowed, and retries of 429, 5xx and network failures with exponential backoff that honours
 * `Retry-After`. Other statuses come back as they are, for the caller to explain (401: the key).
 * Throws `E_BILLS_FETCH` when the attempts run out.
 */
export async function getProviderPage(
  url: URL,
  headers: Record<string, string>,
  policy: RequestPolicy = {},
): Promise<ProviderAnswer> {
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new LedgerError("E_BILLS_FETCH", `${shownUrl(url)}: only http: and https: URLs are fetched`);
  }
  const attempts = policy.attempts ?? 4;
  const timeoutMs = policy.timeoutMs ?? 30_000;
  for (let attempt = 1; ; attempt++) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), timeoutMs);
    const abandon = () => controller.abort();
    policy.signal?.addEventListener("abort", abandon, { once: true });
    let wait: number | undefined;
    let last: string;
    try {
      const response = await getOnce(url, headers, policy, controller.signal);
      const status = response.statusCode ?? 0;
      const text = await readText(response, url);
      if (status !== 429 && status < 500) return { status, text };
      last = `HTTP ${status}`;
      wait = retryAfterMs(response.headers["retry-after"]);
    } catch (error) {
      if (error instanceof LedgerError) throw error;
      if (policy.signal?.aborted)
        throw new LedgerError("E_BILLS_FETCH", `${shownUrl(url)}: abandoned`, { cause: error });
      last = controller.signal.aborted ? `no answer within ${timeoutMs} ms` : (error as Error).message;
    } finally {
      clearTimeout(timer);
      policy.signal?.removeEventListener("abort", abandon);
    }
    if (attempt >= attempts) {
      throw new LedgerError(
        "E_BILLS_FETCH",
        `${shownUrl(url)}: ${last}, ${attempts} attempt(s); nothing was imported`,
      );
    }
    const backoff = (policy.retryBaseMs ?? 1000) * 2 ** (attempt - 1) * (0.5 + Math.random() / 2);
    const delay = Math.min(wait ?? backoff, policy.maxRetryAfterMs ?? 60_000);
    await sleep(delay, undefined, policy.signal ? { signal: policy.signal } : {}).catch((error: unknown) => {
      throw new LedgerError("E_BILLS_FETCH", `${shownUrl(url)}: abandoned`, { cause: error });
    });
  }
}
