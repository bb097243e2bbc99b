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

  it("development (NODE_ENV unset): a missing RELAY_TOKEN_SECRET is left to the entry, which makes one per process", () => {
    const config = resolveRelayConfig({ OFFLINE_DEMO_UPSTREAM: "http://127.0.0.1:8790/v1" }, "/x");
    expect(config).toMatchObject({ production: false, tokenSecret: undefined });
  });

  it("production (NODE_ENV=production): a missing RELAY_TOKEN_SECRET is one line naming it and how to make one", () => {
    const start = () => resolveRelayConfig({ NODE_ENV: "production", OPENAI_API_KEY: "sk-test" }, "/x");
    expect(start).toThrow(
      /^Invalid relay configuration: RELAY_TOKEN_SECRET is not set[^\n]*NODE_ENV=production[^\n]*openssl rand -hex 32[^\n]*$/,
    );
  });

  it("production refuses a too-short RELAY_TOKEN_SECRET without echoing it", () => {
    const secret = "s".repeat(31);
    const start = () => resolveRelayConfig({ NODE_ENV: "production", OPENAI_API_KEY: "sk-test", RELAY_TOKEN_SECRET: secret }, "/x");
    expect(start).toThrow(/RELAY_TOKEN_SECRET must be at least 32 characters \(e\.g\. openssl rand -hex 32\)/);
    expect(start).not.toThrow(secret);
  });

  it("production accepts a secret of 32 characters", () => {
    const config = resolveRelayConfig({ NODE_ENV: "production", OPENAI_API_KEY: "sk-test", RELAY_TOKEN_SECRET: "s".repeat(32) }, "/x");
    expect(config).toMatchObject({ production: true, tokenSecret: "s".repeat(32) });
  });
});
