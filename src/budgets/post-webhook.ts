import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { isIP, type LookupFunction } from "node:net";
import { LedgerError } from "../errors.js";
import { isInternalAddress } from "../pricing-updates/index.js";

/** A receiver slower than this is a timeout (retried). */
export const webhookTimeoutMs = 10_000;

function refusal(url: URL, address: string): LedgerError {
  return new LedgerError(
    "E_WEBHOOK_REFUSED",
    `${url.host}: refused, the host resolves to the internal address ${address} (allow it with --allow-private-webhooks)`,
  );
}

// The address is judged inside the connection's own DNS lookup, so a name that resolves to a public
// address once and to an internal one the next time cannot slip past the check.
function guardedLookup(url: URL): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const refused = addresses.find((entry) => isInternalAddress(entry.address));
      if (refused) return callback(refusal(url, refused.address), "", 0);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new Error(`${hostname} has no address`), "", 0);
      callback(null, first.address, first.family);
    });
  };
}

/**
 * POSTs `payload` and answers the status; redirects are not followed (a 3xx is an answer, retried by
 * the caller). Throws `E_WEBHOOK_REFUSED` for an internal address (unless `allowPrivate`), and the
 * network's error (or a timeout) otherwise.
 */
export function postWebhook(
  url: URL,
  payload: string,
  headers: Record<string, string>,
  options: { allowPrivate: boolean; timeoutMs?: number | undefined },
): Promise<number> {
  const host = url.hostname.replace(/^\[|\]$/g, "");
  // A literal IP never goes through the lookup, so it is judged here.
  if (!options.allowPrivate && isIP(host) !== 0 && isInternalAddress(host)) {
    return Promise.reject(refusal(url, host));
  }
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(url, {
      method: "POST",
      headers: { ...headers, "content-length": String(Buffer.byteLength(payload)) },
      signal: AbortSignal.timeout(options.timeoutMs ?? webhookTimeoutMs),
      ...(options.allowPrivate ? {} : { lookup: guardedLookup(url) }),
    });
    outgoing.once("response", (response) => {
      // The answer's body is not needed: drain it so the socket is freed.
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    outgoing.once("error", reject);
    outgoing.end(payload);
  });
}
