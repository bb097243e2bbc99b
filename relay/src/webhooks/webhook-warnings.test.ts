import { describe, expect, it } from "vitest";
import type { AgentConfig } from "../agent-config.ts";
import { testAgent } from "../../test/fixtures.ts";
import { webhookWarnings } from "./webhook-warnings.ts";

const withEndpoints = (urls: string[], toolHosts: string[] = []): AgentConfig => ({
  ...testAgent,
  toolHosts,
  webhooks: { secret: { env: "S" }, endpoints: urls.map((url) => ({ url, events: ["session.ended"] })) },
});

describe("webhookWarnings", () => {
  it("names endpoints on private or never-called addresses that cannot be delivered, and nothing else", () => {
    expect(
      webhookWarnings([
        withEndpoints(
          [
            "http://10.0.0.5/h",
            "http://localhost:9000/h",
            "http://[::1]:8000/h",
            "http://0.0.0.0/h",
            "https://hooks.example.com/h",
            "http://127.0.0.1:9000/h",
          ],
          ["127.0.0.1:9000"],
        ),
        { ...testAgent, id: "plain" },
      ]),
    ).toEqual([
      "agent demo: webhook endpoint 10.0.0.5 is a loopback, private or link-local address not on the agent's toolHosts, so its deliveries are refused",
      "agent demo: webhook endpoint localhost:9000 is a loopback, private or link-local address not on the agent's toolHosts, so its deliveries are refused",
      "agent demo: webhook endpoint [::1]:8000 is a loopback, private or link-local address not on the agent's toolHosts, so its deliveries are refused",
      "agent demo: webhook endpoint 0.0.0.0 is an address that is never called, so its deliveries fail",
    ]);
  });
});
