import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import type { LookupFunction } from "node:net";
import { isInternalAddress } from "./internal-address.js";

/**
 * A DNS lookup for `http.request` that refuses internal addresses. The check runs inside the
 * connection's own lookup, so the address judged is the address connected to: a name that resolves
 * differently a second time cannot slip past it. `refuse` builds the error for a refused address,
 * `noAddress` the one for a name without any.
 */
export function guardedLookup(refuse: (address: string) => Error, noAddress: () => Error): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, "", 0);
      const refused = addresses.find((entry) => isInternalAddress(entry.address));
      if (refused) return callback(refuse(refused.address), "", 0);
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(noAddress(), "", 0);
      callback(null, first.address, first.family);
    });
  };
}
