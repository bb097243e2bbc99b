import { randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";
import { describe, expect, it } from "vitest";
import { testAgent } from "../../test/fixtures.ts";
import { resolveWebhookSecrets } from "./webhook-secrets.ts";
import { decodeWebhookSecret, signWebhook } from "./webhook-signature.ts";

const secret = `whsec_${randomBytes(32).toString("base64")}`;
const hooked = { ...testAgent, webhooks: { secret: { env: "DEMO_WEBHOOK_SECRET" }, endpoints: [] } };

describe("webhook signatures", () => {
  it("verify with the standardwebhooks package, and a changed body, id or timestamp does not", () => {
    const key = decodeWebhookSecret(secret)!;
    const body = JSON.stringify({ type: "session.ended", timestamp: new Date().toISOString(), data: { sessionId: "s" } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      "webhook-id": "msg_1",
      "webhook-timestamp": String(timestamp),
      "webhook-signature": signWebhook(key, "msg_1", timestamp, body),
    };
    const verifier = new Webhook(secret);
    expect(verifier.verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => verifier.verify(body.replace('s"}', 't"}'), headers)).toThrow();
    expect(() => verifier.verify(body, { ...headers, "webhook-id": "msg_2" })).toThrow();
    expect(() => verifier.verify(body, { ...headers, "webhook-timestamp": String(timestamp + 1) })).toThrow();
    expect(() => new Webhook(`whsec_${randomBytes(32).toString("base64")}`).verify(body, headers)).toThrow();
  });

  it("accept only whsec_ secrets of 24 to 64 bytes", () => {
    expect(decodeWebhookSecret(secret)?.length).toBe(32);
    expect(decodeWebhookSecret(randomBytes(32).toString("base64"))).toBeUndefined();
    expect(decodeWebhookSecret(`whsec_${randomBytes(16).toString("base64")}`)).toBeUndefined();
    expect(decodeWebhookSecret(`whsec_${randomBytes(65).toString("base64")}`)).toBeUndefined();
    expect(decodeWebhookSecret("whsec_not base64!")).toBeUndefined();
  });
});

describe("resolveWebhookSecrets", () => {
  it("reads each agent's secret from the variable it names", () => {
    const secrets = resolveWebhookSecrets([hooked, { ...testAgent, id: "plain" }], { DEMO_WEBHOOK_SECRET: secret });
    expect([...secrets.keys()]).toEqual(["demo"]);
    expect(secrets.get("demo")).toEqual(decodeWebhookSecret(secret));
  });

  it("a variable not set, or not a secret, is a start error naming the agent and the variable, never the value", () => {
    expect(() => resolveWebhookSecrets([hooked], {})).toThrow(
      /^agent demo: webhooks\.secret: DEMO_WEBHOOK_SECRET is not set; make one with/,
    );
    const bad = () => resolveWebhookSecrets([hooked], { DEMO_WEBHOOK_SECRET: "hunter2-not-a-secret" });
    expect(bad).toThrow(/DEMO_WEBHOOK_SECRET is not a webhook secret \(whsec_/);
    expect(bad).not.toThrow("hunter2");
  });
});
