import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { WidgetError } from "./widget-error.ts";
import { within } from "./within.ts";

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe("within", () => {
  test("a promise that never settles rejects with the typed error after ms", async () => {
    const seen = within(new Promise<never>(() => {}), 100, "audio", "Starting").catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(99);
    expect(vi.getTimerCount()).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await seen).toMatchObject({
      name: "WidgetError",
      code: "audio",
      message: "Starting did not finish within 100 ms.",
      cause: undefined,
    });
  });

  test("settles like the promise in time and clears its timer; a foreign rejection becomes the cause", async () => {
    await expect(within(Promise.resolve(7), 100, "audio", "late")).resolves.toBe(7);
    const typed = new WidgetError("vad", "model");
    await expect(within(Promise.reject(typed), 100, "audio", "late")).rejects.toBe(typed);
    const foreign = new DOMException("blocked", "NotAllowedError");
    await expect(within(Promise.reject(foreign), 100, "audio", "Starting")).rejects.toMatchObject({
      code: "audio",
      message: "Starting did not finish within 100 ms.",
      cause: foreign,
    });
    expect(vi.getTimerCount()).toBe(0);
  });
});
