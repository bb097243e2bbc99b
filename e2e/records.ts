/** The e2e relay's records, through its admin API. */
import type { SessionDetail as StoredSession, SessionRecord } from "../relay/src/records/session-record.ts";
import type { WebhookDelivery } from "../relay/src/records/webhook-outbox.ts";
import { E2E } from "./stack-ports.ts";

/** A session as `GET /admin/sessions/:id` answers: its records and its webhook deliveries. */
export type SessionDetail = StoredSession & { webhooks: WebhookDelivery[] };

/** `GET` on the admin API of `relayUrl` (default: the suite's relay) with the suite's admin token. */
export async function admin<T>(path: string, relayUrl: string = E2E.relayUrl): Promise<T> {
  const response = await fetch(relayUrl + path, { headers: { authorization: `Bearer ${E2E.adminToken}` } });
  if (!response.ok) throw new Error(`GET ${path}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

/** Every session recorded for `conversationId` (any agent), oldest first, with messages and events. */
export async function recordsOfConversation(conversationId: string, relayUrl?: string): Promise<SessionDetail[]> {
  const { sessions } = await admin<{ sessions: SessionRecord[] }>("/admin/sessions?limit=100", relayUrl);
  const ours = sessions.filter((s) => s.conversationId === conversationId).reverse();
  return Promise.all(ours.map((s) => admin<SessionDetail>(`/admin/sessions/${s.id}`, relayUrl)));
}
