import { describe, expect, it } from "vitest";
import { uuidv7, uuidv7Time } from "./uuid-v7.ts";

describe("uuidv7", () => {
  it("has version 7, the RFC variant and the given time", () => {
    const id = uuidv7(1_800_000_000_123);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(uuidv7Time(id)).toBe(1_800_000_000_123);
  });

  it("is strictly increasing within one millisecond and across a clock step back", () => {
    const ids = [...Array.from({ length: 5000 }, () => uuidv7(1_900_000_000_000)), uuidv7(1_899_999_999_000)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
