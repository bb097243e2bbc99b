import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestApp, testAgent } from "../../test/fixtures.ts";
import { sessionOp } from "../../test/record-fixtures.ts";
import type { AdminToken } from "../records/admin-auth.ts";
import { BatchingRecordWriter } from "../records/batching-record-writer.ts";
import { SqliteSessionStore } from "../records/sqlite-session-store.ts";
import type { WebhookPage } from "../records/webhook-outbox.ts";
import { webhookOps } from "../webhooks/webhook-ops.ts";

const ADMIN = "webhook-route-admin-token-0123456789";
const SALES = "webhook-route-sales-token-0123456789";
const hooked = {
  ...testAgent,
  webhooks: { secret: { env: "S" }, endpoints: [{ url: "https://hooks.example.com/in", events: ["session.ended" as const] }] },
};

describe("GET /admin/webhooks", () => {
  let store: SqliteSessionStore;
  let writer: BatchingRecordWriter;
  beforeEach(async () => {
    store = new SqliteSessionStore(":memory:");
    await store.migrate();
    writer = new BatchingRecordWriter(store, { log: () => {} });
  });
  afterEach(async () => {
    await writer.close();
    await store.close();
  });

  const app = (adminTokens: AdminToken[]) =>
    createTestApp({ agents: [hooked], records: { store, writer, adminTokens, defaultRetentionDays: 30 } }).app;
  const get = async (tokens: AdminToken[], query: string, token = ADMIN) =>
    app(tokens).request(`/admin/webhooks${query}`, { headers: { authorization: `Bearer ${token}` } });

  async function seed(): Promise<string[]> {
    const ids: string[] = [];
    for (const [i, agent] of ["demo", "sales", "demo"].entries()) {
      const s = sessionOp({ agent, createdAt: 1_800_000_000_000 + i });
      const ops = webhookOps(
        { ...hooked, id: agent },
        { event: "session.ended", key: s.session.id, sessionId: s.session.id, at: s.session.createdAt, data: {} },
      );
      await store.apply([s, ...ops]);
      ids.push((ops[0] as { delivery: { id: string } }).delivery.id);
    }
    await store.recordWebhookAttempt(ids[2]!, { at: 1, status: 200, error: null, durationMs: 3 }, "delivered");
    return ids;
  }

  it("lists deliveries newest first with status and agent filters and cursor pages", async () => {
    const [a, b, c] = await seed();
    const all = (await (await get([{ token: ADMIN, agents: "*" }], "?limit=2")).json()) as WebhookPage;
    expect(all.webhooks.map((w) => w.id)).toEqual([c, b]);
    const next = (await (await get([{ token: ADMIN, agents: "*" }], `?limit=2&cursor=${all.nextCursor}`)).json()) as WebhookPage;
    expect(next).toMatchObject({ webhooks: [{ id: a, status: "pending", attempts: [], event: "session.ended" }], nextCursor: null });
    const delivered = (await (await get([{ token: ADMIN, agents: "*" }], "?status=delivered")).json()) as WebhookPage;
    expect(delivered.webhooks).toMatchObject([{ id: c, status: "delivered", attempts: [{ status: 200 }], nextAttemptAt: null }]);
    const pendingDemo = (await (await get([{ token: ADMIN, agents: "*" }], "?status=pending&agent=demo")).json()) as WebhookPage;
    expect(pendingDemo.webhooks.map((w) => w.id)).toEqual([a]);
    expect((await get([{ token: ADMIN, agents: "*" }], "?status=lost")).status).toBe(400);
    expect((await get([{ token: ADMIN, agents: "*" }], "?cursor=garbage")).status).toBe(400);
  });

  it("shows an agent-scoped token only its agent's deliveries, and refuses another agent", async () => {
    const [, b] = await seed();
    const tokens: AdminToken[] = [{ token: SALES, agents: ["sales"] }];
    const scoped = (await (await get(tokens, "", SALES)).json()) as WebhookPage;
    expect(scoped.webhooks.map((w) => w.id)).toEqual([b]);
    expect((await get(tokens, "?agent=demo", SALES)).status).toBe(403);
    expect((await get(tokens, "", "not-a-token-at-all-0123456789")).status).toBe(401);
  });
});
