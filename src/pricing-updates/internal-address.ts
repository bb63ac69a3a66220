import { BlockList, isIP } from "node:net";

// Addresses a catalog URL may not reach unless the operator allows it: a URL taken from the
// environment or a command line must not turn the service into a probe of its own network (cloud
// metadata at 169.254.169.254, an admin port on localhost, a database on a private range).
const internal = new BlockList();
for (const [network, prefix] of [
  ["0.0.0.0", 8], // "this network"
  ["10.0.0.0", 8], // private
  ["100.64.0.0", 10], // carrier-grade NAT
  ["127.0.0.0", 8], // loopback
  ["169.254.0.0", 16], // link-local (cloud metadata)
  ["172.16.0.0", 12], // private
  ["192.0.0.0", 24], // IETF protocol assignments
  ["192.168.0.0", 16], // private
  ["198.18.0.0", 15], // benchmarking
  ["224.0.0.0", 4], // multicast
  ["240.0.0.0", 4], // reserved and broadcast
] as const) {
  internal.addSubnet(network, prefix, "ipv4");
}
for (const [network, prefix] of [
  ["::", 128], // unspecified
  ["::1", 128], // loopback
  ["fc00::", 7], // unique-local
  ["fe80::", 10], // link-local
  ["ff00::", 8], // multicast
] as const) {
  internal.addSubnet(network, prefix, "ipv6");
}

/**
 * True when `address` (an IP literal) is loopback, private, link-local, unique-local or otherwise
 * not a public unicast address. IPv4-mapped IPv6 addresses (`::ffff:127.0.0.1`) are judged by their
 * IPv4 part. Anything that is not an IP literal counts as internal (refuse what cannot be judged).
 */
export function isInternalAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const family = isIP(bare);
  if (family === 4) return internal.check(bare, "ipv4");
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare)?.[1];
    if (mapped) return internal.check(mapped, "ipv4");
    return internal.check(bare, "ipv6");
  }
  return true;
}
