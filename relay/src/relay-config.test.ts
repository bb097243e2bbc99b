import { describe, expect, it } from "vitest";
import { resolveRelayConfig } from "./relay-config.ts";

describe("resolveRelayConfig", () => {
  it("applies documented defaults relative to the package", () => {
    const config = resolveRelayConfig({ OFFLINE_DEMO_UPSTREAM: "http://127.0.0.1:8790/v1" }, "/srv/app/relay");
    expect(config).toMatchObject({
      port: 8787,
      host: "127.0.0.1",
      agentsFile: "/srv/app/relay/agents.json",
      widgetDir: "/srv/app/widget/dist",
      tokenSecret: undefined,
      tokenTtlMs: 300_000,
    });
    expect(config.upstreams.kind).toBe("offline-demo");
  });

  it("lists every invalid variable in one error", () => {
    expect(() => resolveRelayConfig({ PORT: "http", TOKEN_TTL_SECONDS: "0", RELAY_TOKEN_SECRET: "short" }, "/x")).toThrow(
      /PORT="http" must be an integer[\s\S]*TOKEN_TTL_SECONDS="0"[\s\S]*RELAY_TOKEN_SECRET must be at least 32[\s\S]*set OPENAI_API_KEY/,
    );
  });
});
