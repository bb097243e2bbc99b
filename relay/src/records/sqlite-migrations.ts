/** Schema versions of the SQLite store, applied in order; never edit a released one, append a new one. */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE sessions (
     id TEXT PRIMARY KEY,
     agent TEXT NOT NULL,
     origin TEXT NOT NULL,
     mode TEXT NOT NULL,
     status TEXT NOT NULL,
     visitor_hash TEXT,
     conversation_id TEXT,
     created_at INTEGER NOT NULL,
     started_at INTEGER,
     ended_at INTEGER,
     expires_at INTEGER NOT NULL,
     duration_ms INTEGER,
     end_reason TEXT,
     client TEXT
   ) STRICT;
   CREATE INDEX sessions_by_time ON sessions (created_at DESC, id DESC);
   CREATE INDEX sessions_by_agent ON sessions (agent, created_at DESC, id DESC);
   CREATE INDEX sessions_by_agent_status ON sessions (agent, status, created_at DESC, id DESC);
   CREATE INDEX sessions_by_visitor ON sessions (visitor_hash) WHERE visitor_hash IS NOT NULL;
   CREATE INDEX sessions_open ON sessions (expires_at) WHERE status IN ('pending', 'active');
   CREATE TABLE messages (
     id TEXT PRIMARY KEY,
     session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
     role TEXT NOT NULL,
     text TEXT NOT NULL,
     start_at INTEGER,
     end_at INTEGER,
     confidence REAL,
     prompt_tokens INTEGER,
     completion_tokens INTEGER,
     utterance_id TEXT,
     audio_duration_ms INTEGER,
     interrupted INTEGER NOT NULL DEFAULT 0,
     heard_text TEXT,
     latency TEXT NOT NULL DEFAULT '{}'
   ) STRICT;
   CREATE INDEX messages_by_session ON messages (session_id, start_at, id);
   CREATE TABLE events (
     id TEXT PRIMARY KEY,
     session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
     type TEXT NOT NULL,
     source TEXT NOT NULL,
     at INTEGER NOT NULL,
     payload TEXT NOT NULL
   ) STRICT;
   CREATE INDEX events_by_session ON events (session_id, at, id);`,
  // v2: last activity (a session lapses at last activity + idle timeout), tool calls and results, and
  // patches of messages not written yet (a barge-in report can reach the store before its reply).
  `ALTER TABLE sessions ADD COLUMN last_active_at INTEGER;
   ALTER TABLE messages ADD COLUMN tool_calls TEXT;
   ALTER TABLE messages ADD COLUMN tool_call_id TEXT;
   CREATE TABLE message_patches (
     message_id TEXT PRIMARY KEY,
     session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
     interrupted INTEGER,
     heard_text TEXT,
     latency TEXT NOT NULL DEFAULT '{}'
   ) STRICT;
   CREATE INDEX message_patches_by_session ON message_patches (session_id);`,
  // v3: one user message per turn (the widget's `x-turn-id`, recorded as `utterance_id`): a chat request's
  // copy of a transcript is skipped by the insert. `confidence` is no longer written (no upstream reports
  // one); the column stays so that instances of the previous version keep writing during a rolling upgrade.
  `CREATE UNIQUE INDEX messages_user_turn ON messages (session_id, utterance_id) WHERE role = 'user' AND utterance_id IS NOT NULL;`,
  // v4: the page context the session's agent was told (JSON); instances of the previous version leave it null.
  `ALTER TABLE sessions ADD COLUMN context TEXT;`,
  // v5: post-session analysis, one row per analysed session (claimed by a worker; `next_at` is the claim's
  // lease or the retry's time while `pending`).
  `CREATE TABLE session_analyses (
     session_id TEXT PRIMARY KEY REFERENCES sessions (id) ON DELETE CASCADE,
     status TEXT NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     next_at INTEGER,
     result TEXT,
     model TEXT,
     prompt_tokens INTEGER,
     completion_tokens INTEGER,
     error TEXT,
     completed_at INTEGER
   ) STRICT;
   CREATE INDEX sessions_by_end ON sessions (ended_at) WHERE ended_at IS NOT NULL;`,
  // v6: webhooks, the outbox of deliveries (deleted with their session), and the mark a session gets, in the
  // statement that ends it, until its `session.ended` deliveries are enqueued. Sessions ended before this
  // version are not announced.
  `CREATE TABLE webhook_deliveries (
     id TEXT PRIMARY KEY,
     session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
     agent TEXT NOT NULL,
     event TEXT NOT NULL,
     url TEXT NOT NULL,
     payload TEXT NOT NULL,
     status TEXT NOT NULL DEFAULT 'pending',
     created_at INTEGER NOT NULL,
     next_attempt_at INTEGER,
     attempts TEXT NOT NULL DEFAULT '[]'
   ) STRICT;
   CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
   CREATE INDEX webhook_deliveries_by_session ON webhook_deliveries (session_id);
   CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (created_at DESC, id DESC);
   ALTER TABLE sessions ADD COLUMN announce_end INTEGER NOT NULL DEFAULT 0;
   CREATE INDEX sessions_to_announce ON sessions (ended_at) WHERE announce_end = 1;`,
];
