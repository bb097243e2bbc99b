import { describe, expect, test } from "vitest";
import { resolveConfig } from "./config.ts";

const attributes = { relayUrl: "https://relay.example.com", agent: "support", mode: "realtime", lang: undefined, layout: undefined };

describe("resolveConfig: transport", () => {
  test("websocket by default; the attribute wins over config.transport", () => {
    expect(resolveConfig(attributes).transport).toBe("websocket");
    expect(resolveConfig(attributes, { transport: "webrtc" }).transport).toBe("webrtc");
    expect(resolveConfig({ ...attributes, transport: "websocket" }, { transport: "webrtc" }).transport).toBe("websocket");
  });

  test("anything else is a config error that names the values", () => {
    expect(() => resolveConfig({ ...attributes, transport: "rtc" })).toThrow(
      /transport must be "websocket" \(the default\) or "webrtc" \(got "rtc"\)/,
    );
    expect(() => resolveConfig(attributes, { transport: "sip" as "webrtc" })).toThrow(expect.objectContaining({ code: "config" }));
  });
});
