import { describe, expect, it } from "vitest";
import { resolveRecordsConfig } from "./records-config.ts";

const admin = "a".repeat(24);

describe("resolveRecordsConfig", () => {
  it("development: no admin token leaves the admin API off", () => {
    expect(resolveRecordsConfig({}, "/srv/relay")).toMatchObject({
      adminTokens: [],
      database: { kind: "sqlite", path: "/srv/relay/data/records.sqlite" },
    });
  });

  it("production (NODE_ENV=production): a missing ADMIN_TOKEN is one line naming it and how to make one", () => {
    expect(() => resolveRecordsConfig({ NODE_ENV: "production" }, "/x")).toThrow(
      /^Invalid records configuration: ADMIN_TOKEN is not set[^\n]*NODE_ENV=production[^\n]*openssl rand -hex 24[^\n]*$/,
    );
  });

  it("production accepts agent-scoped tokens instead of ADMIN_TOKEN", () => {
    const config = resolveRecordsConfig({ NODE_ENV: "production", ADMIN_AGENT_TOKENS: `demo=${admin}` }, "/x");
    expect(config.adminTokens).toEqual([{ token: admin, agents: ["demo"] }]);
  });

  it("production refuses a too-short ADMIN_TOKEN without echoing it", () => {
    const start = () => resolveRecordsConfig({ NODE_ENV: "production", ADMIN_TOKEN: "short-admin-token" }, "/x");
    expect(start).toThrow(/ADMIN_TOKEN: admin tokens need at least 24 characters/);
    expect(start).not.toThrow("short-admin-token");
  });

  it("reads the webhook worker's timing, with defaults, and refuses values out of range", () => {
    expect(resolveRecordsConfig({}, "/x").webhooks).toEqual({ pollMs: 1000, backoffBaseMs: 5000, timeoutMs: 10_000 });
    expect(resolveRecordsConfig({ WEBHOOK_POLL_MS: "50", WEBHOOK_BACKOFF_MS: "200", WEBHOOK_TIMEOUT_MS: "1000" }, "/x").webhooks).toEqual({
      pollMs: 50,
      backoffBaseMs: 200,
      timeoutMs: 1000,
    });
    expect(() => resolveRecordsConfig({ WEBHOOK_TIMEOUT_MS: "0" }, "/x")).toThrow(
      /WEBHOOK_TIMEOUT_MS="0" must be an integer from 100 to 60000/,
    );
  });
});
