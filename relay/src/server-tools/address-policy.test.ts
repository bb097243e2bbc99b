import { describe, expect, it } from "vitest";
import { classifyAddress } from "./address-policy.ts";

describe("classifyAddress", () => {
  it.each([
    ["8.8.8.8", "public"],
    ["2606:4700::1111", "public"],
    ["127.0.0.1", "restricted"],
    ["127.8.9.10", "restricted"],
    ["10.1.2.3", "restricted"],
    ["172.16.0.1", "restricted"],
    ["192.168.1.1", "restricted"],
    ["169.254.169.254", "restricted"],
    ["100.64.0.1", "restricted"],
    ["::1", "restricted"],
    ["fe80::1", "restricted"],
    ["fd12:3456::1", "restricted"],
    ["::ffff:127.0.0.1", "restricted"],
    ["::ffff:7f00:1", "restricted"],
    ["0:0:0:0:0:ffff:a9fe:a9fe", "restricted"],
    ["::ffff:8.8.8.8", "public"],
    ["0.0.0.0", "never"],
    ["::", "never"],
    ["224.0.0.1", "never"],
    ["255.255.255.255", "never"],
    ["ff02::1", "never"],
  ])("%s is %s", (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});
