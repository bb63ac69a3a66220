import { describe, expect, it } from "vitest";
import { isInternalAddress } from "../../src/pricing-updates/index.js";

describe("isInternalAddress", () => {
  it("refuses loopback, private ranges, link-local, unique-local and mapped forms of them", () => {
    for (const address of [
      "127.0.0.1",
      "127.255.0.9",
      "10.1.2.3",
      "172.16.0.1",
      "172.31.255.254",
      "192.168.1.1",
      "169.254.169.254",
      "100.64.0.1",
      "0.0.0.0",
      "::1",
      "::",
      "fe80::1",
      "fd00::1",
      "fc12:3456::1",
      "::ffff:127.0.0.1",
      "::ffff:10.0.0.1",
      "[::1]",
      "fe80::1%eth0",
      "not-an-address",
    ]) {
      expect(isInternalAddress(address), address).toBe(true);
    }
  });

  it("allows public unicast addresses", () => {
    for (const address of [
      "1.1.1.1",
      "8.8.8.8",
      "172.32.0.1",
      "192.169.0.1",
      "2606:4700::1111",
      "::ffff:8.8.8.8",
    ]) {
      expect(isInternalAddress(address), address).toBe(false);
    }
  });
});
