/** The audit trail's table, for the kinds of entry it takes (a CHECK cannot be widened in place). */
function auditLogTable(kinds: readonly string[]): string {
  return `CREATE TABLE audit_log (
     id           INTEGER PRIMARY KEY,
     at           INTEGER NOT NULL,
     kind         TEXT NOT NULL CHECK (kind IN (${kinds.map((k) => `'${k}'`).join(', ')})),
     team_id      TEXT NOT NULL,
     user_id      TEXT NOT NULL,
     channel      TEXT,
     thread_ts    TEXT,
     identifier   TEXT NOT NULL,
     tool_name    TEXT NOT NULL,
     args_hash    TEXT,
     summary      TEXT NOT NULL,
     outcome      TEXT NOT NULL,
     execution_id TEXT,
     latency_ms   INTEGER,
     approved_by  TEXT,
     action_id    TEXT
   ) STRICT;`;
}

/** The database itself refuses to change or delete an audit entry. */
const AUDIT_LOG_APPEND_ONLY = `CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
   CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
     BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;`;

/**
 * SQLite's schema steps in order; step N brings `PRAGMA user_version` from N to N+1. Never edit a step that has shipped:
 * append a new one.
 */
export const SQLITE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE identities (
     team_id    TEXT NOT NULL,
     user_id    TEXT NOT NULL,
     identifier TEXT NOT NULL UNIQUE,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (team_id, user_id)
   ) STRICT;`,
  // Connect links (DM'd to a user) and the browser flows they start. Only hashes of the token, the OAuth state and
  // the browser cookie are kept: a copy of the database is not a way to finish someone else's connection.
  `CREATE TABLE connect_links (
     token_hash TEXT PRIMARY KEY,
     team_id    TEXT NOT NULL,
     user_id    TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER NOT NULL,
     used_at    INTEGER,
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   ) STRICT;
   CREATE TABLE connect_flows (
     state_hash   TEXT PRIMARY KEY,
     browser_hash TEXT NOT NULL,
     team_id      TEXT NOT NULL,
     user_id      TEXT NOT NULL,
     created_at   INTEGER NOT NULL,
     expires_at   INTEGER NOT NULL,
     consumed_at  INTEGER,
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   ) STRICT;
   CREATE TABLE parked_requests (
     id         INTEGER PRIMARY KEY,
     team_id    TEXT NOT NULL,
     user_id    TEXT NOT NULL,
     channel    TEXT NOT NULL,
     thread_ts  TEXT NOT NULL,
     ts         TEXT NOT NULL,
     text       TEXT NOT NULL,
     is_direct  INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     status     TEXT NOT NULL DEFAULT 'parked' CHECK (status IN ('parked', 'running')),
     UNIQUE (channel, ts),
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   ) STRICT;
   CREATE INDEX parked_requests_by_user ON parked_requests (team_id, user_id, status);`,
  // Write actions the agent proposed; nothing reaches Intercom until the requester approves. `status` only moves
  // forward, each step by one conditional UPDATE, so a double click cannot send twice.
  `CREATE TABLE pending_actions (
     id            TEXT NOT NULL PRIMARY KEY,
     team_id       TEXT NOT NULL,
     user_id       TEXT NOT NULL,
     identifier    TEXT NOT NULL,
     channel       TEXT NOT NULL,
     thread_ts     TEXT NOT NULL,
     message_ts    TEXT,
     tool_name     TEXT NOT NULL,
     arguments     TEXT NOT NULL,
     preview       TEXT NOT NULL,
     snapshot      TEXT,
     status        TEXT NOT NULL CHECK (status IN ('pending', 'executing', 'done', 'failed', 'cancelled', 'expired', 'unknown')),
     created_at    INTEGER NOT NULL,
     expires_at    INTEGER NOT NULL,
     decided_at    INTEGER,
     decided_by    TEXT,
     outcome       TEXT,
     execution_id  TEXT,
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   ) STRICT;
   CREATE INDEX pending_actions_by_user ON pending_actions (team_id, user_id, status);`,
  // Every message the bot takes on, recorded before any work: Slack redelivers events it thinks were lost, and a
  // message seen once must never be answered twice. 'running' rows found at startup were cut off by a crash.
  `CREATE TABLE inbox (
     channel     TEXT NOT NULL,
     ts          TEXT NOT NULL,
     thread_ts   TEXT NOT NULL,
     team_id     TEXT NOT NULL,
     user_id     TEXT NOT NULL,
     event_id    TEXT,
     received_at INTEGER NOT NULL,
     status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'interrupted')),
     PRIMARY KEY (channel, ts)
   ) STRICT;
   CREATE INDEX inbox_by_status ON inbox (status);`,
  // Optional Sign in with Slack before connecting: the browser must prove it is the Slack user the link is for.
  `CREATE TABLE slack_signins (
     state_hash   TEXT PRIMARY KEY,
     token_hash   TEXT NOT NULL REFERENCES connect_links (token_hash) ON DELETE CASCADE,
     browser_hash TEXT NOT NULL,
     nonce        TEXT NOT NULL,
     expires_at   INTEGER NOT NULL,
     used_at      INTEGER
   ) STRICT;`,
  // What the agent did as whom: append-only, enforced by the database itself.
  `${auditLogTable(['tool_call', 'approval', 'connection'])}
   CREATE INDEX audit_log_by_user ON audit_log (team_id, user_id, at);
   CREATE INDEX audit_log_by_time ON audit_log (at);
   ${AUDIT_LOG_APPEND_ONLY}`,
  // Indexes for what grows: with a million rows, the weekly figures read only the user's index entries for the week
  // (covering: no table lookups), the last connection is one index probe however busy the user is, and pruning the
  // inbox walks only the rows old enough to go. Building them on a large existing file takes a few seconds, once.
  `CREATE INDEX audit_log_by_user_activity ON audit_log (team_id, user_id, at, kind, outcome);
   CREATE INDEX audit_log_by_user_kind ON audit_log (team_id, user_id, kind, at);
   CREATE INDEX inbox_by_received ON inbox (received_at, status);`,
  // Conversations that continue: channel threads the bot follows (and who in them asked it something), and the
  // recent turns of each teammate's DM. DM turns hold message text, so they are deleted once out of the window.
  `CREATE TABLE followed_threads (
     channel          TEXT NOT NULL,
     thread_ts        TEXT NOT NULL,
     team_id          TEXT NOT NULL,
     last_activity_at INTEGER NOT NULL,
     stopped_at       INTEGER,
     PRIMARY KEY (channel, thread_ts)
   ) STRICT;
   CREATE INDEX followed_threads_by_activity ON followed_threads (last_activity_at);
   CREATE TABLE thread_participants (
     channel   TEXT NOT NULL,
     thread_ts TEXT NOT NULL,
     user_id   TEXT NOT NULL,
     PRIMARY KEY (channel, thread_ts, user_id)
   ) STRICT;
   CREATE TABLE dm_turns (
     id      INTEGER PRIMARY KEY,
     team_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     role    TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'reset')),
     content TEXT NOT NULL,
     at      INTEGER NOT NULL
   ) STRICT;
   CREATE INDEX dm_turns_by_user ON dm_turns (team_id, user_id, at);
   CREATE INDEX dm_turns_by_time ON dm_turns (at);`,
  // The trail learns two more kinds: feedback on answers, and what watches announce. SQLite cannot widen a CHECK in
  // place, so the table is rebuilt once (rows copied as they are), with its indexes and append-only triggers.
  `DROP TRIGGER audit_log_no_update;
   DROP TRIGGER audit_log_no_delete;
   ALTER TABLE audit_log RENAME TO audit_log_old;
   ${auditLogTable(['tool_call', 'approval', 'connection', 'feedback', 'watch'])}
   INSERT INTO audit_log SELECT * FROM audit_log_old;
   DROP TABLE audit_log_old;
   CREATE INDEX audit_log_by_user ON audit_log (team_id, user_id, at);
   CREATE INDEX audit_log_by_time ON audit_log (at);
   CREATE INDEX audit_log_by_user_activity ON audit_log (team_id, user_id, at, kind, outcome);
   CREATE INDEX audit_log_by_user_kind ON audit_log (team_id, user_id, kind, at);
   ${AUDIT_LOG_APPEND_ONLY}`,
  // Conversations a teammate watches between requests (src/watches). No identifier is stored: each poll takes the
  // watcher's from the identity map, so a watch can only ever read with its owner's connection. `version` moves with
  // every change of what was last seen, so two polls that saw the same change cannot both announce it.
  `CREATE TABLE watches (
     id               TEXT PRIMARY KEY,
     team_id          TEXT NOT NULL,
     user_id          TEXT NOT NULL,
     conversation_id  TEXT NOT NULL,
     channel          TEXT NOT NULL,
     thread_ts        TEXT NOT NULL,
     customer         TEXT,
     created_at       INTEGER NOT NULL,
     last_activity_at INTEGER NOT NULL,
     last_part_id     TEXT,
     parts_seen       INTEGER NOT NULL,
     state            TEXT NOT NULL,
     assignee         TEXT,
     version          INTEGER NOT NULL DEFAULT 0,
     next_poll_at     INTEGER NOT NULL,
     interval_ms      INTEGER NOT NULL,
     status           TEXT NOT NULL CHECK (status IN ('active', 'paused', 'ended')),
     ended_at         INTEGER,
     ended_reason     TEXT,
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   ) STRICT;
   CREATE UNIQUE INDEX watches_one_per_conversation ON watches (team_id, user_id, conversation_id)
     WHERE status != 'ended';
   CREATE INDEX watches_due ON watches (status, next_poll_at);
   CREATE INDEX watches_by_user ON watches (team_id, user_id, status);
   CREATE INDEX watches_by_activity ON watches (status, last_activity_at);`,
  // Sign in with Slack asks Slack who signed in (userInfo) rather than reading an ID token, so a nonce was never
  // checked: it is no longer made or kept.
  `ALTER TABLE slack_signins DROP COLUMN nonce;`,
  // Clicks on conversation cards being acted on: a double click (two payloads) runs once.
  `CREATE TABLE card_claims (
     key        TEXT PRIMARY KEY,
     claimed_at INTEGER NOT NULL,
     done_at    INTEGER
   ) STRICT;
   CREATE INDEX card_claims_by_time ON card_claims (claimed_at);`,
  // Scalekit's webhooks, each acted on once (Scalekit redelivers with the same webhook-id), and the connections
  // they said broke: one row per teammate and breakage, so a replay or a second event about it sends nothing more.
  `CREATE TABLE scalekit_webhooks (
     id          TEXT PRIMARY KEY,
     received_at INTEGER NOT NULL
   ) STRICT;
   CREATE INDEX scalekit_webhooks_by_time ON scalekit_webhooks (received_at);
   CREATE TABLE connection_breaks (
     team_id    TEXT NOT NULL,
     user_id    TEXT NOT NULL,
     status     TEXT NOT NULL,
     broken_at  INTEGER NOT NULL,
     PRIMARY KEY (team_id, user_id),
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   ) STRICT;`,
  // My queue (src/queue): who has it on, where each teammate's search left off, what each of their open assigned
  // conversations looked like at the last poll, and every reply and reminder already sent (claimed before it is
  // posted, so nothing is sent twice, also across restarts).
  `CREATE TABLE queue_followers (
     id            TEXT PRIMARY KEY,
     team_id       TEXT NOT NULL,
     user_id       TEXT NOT NULL,
     status        TEXT NOT NULL CHECK (status IN ('active', 'paused')),
     since         INTEGER NOT NULL,
     cursor        INTEGER,
     next_poll_at  INTEGER NOT NULL,
     interval_ms   INTEGER NOT NULL,
     UNIQUE (team_id, user_id),
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   ) STRICT;
   CREATE INDEX queue_followers_due ON queue_followers (status, next_poll_at);
   CREATE TABLE queue_conversations (
     team_id         TEXT NOT NULL,
     user_id         TEXT NOT NULL,
     conversation_id TEXT NOT NULL,
     updated_at      INTEGER NOT NULL,
     waiting_since   INTEGER,
     PRIMARY KEY (team_id, user_id, conversation_id)
   ) STRICT;
   CREATE TABLE queue_notices (
     team_id         TEXT NOT NULL,
     user_id         TEXT NOT NULL,
     notice_id       TEXT NOT NULL,
     conversation_id TEXT NOT NULL,
     at              INTEGER NOT NULL,
     PRIMARY KEY (team_id, user_id, notice_id)
   ) STRICT;
   CREATE INDEX queue_notices_by_time ON queue_notices (at);`,
  // Several processes on one database (issue 25): who is alive (heartbeats), who runs the background work (a leader
  // lease with an epoch), which process holds each running message, parked request and send (so only a dead
  // process's work is reported as interrupted), Stop pressed on a process other than the run's, and the unfinished
  // messages of a thread (a turn waits for older ones on other processes) without reading the channel's history.
  `CREATE TABLE replicas (
     id           TEXT PRIMARY KEY,
     started_at   INTEGER NOT NULL,
     heartbeat_at INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE leases (
     name        TEXT PRIMARY KEY,
     owner       TEXT NOT NULL,
     epoch       INTEGER NOT NULL,
     lease_until INTEGER NOT NULL
   ) STRICT;
   CREATE TABLE run_stops (
     channel      TEXT NOT NULL,
     thread_ts    TEXT NOT NULL,
     requested_at INTEGER NOT NULL,
     PRIMARY KEY (channel, thread_ts)
   ) STRICT;
   ALTER TABLE inbox ADD COLUMN owner TEXT;
   ALTER TABLE parked_requests ADD COLUMN owner TEXT;
   ALTER TABLE pending_actions ADD COLUMN owner TEXT;
   CREATE INDEX inbox_running_by_thread ON inbox (channel, thread_ts, ts) WHERE status = 'running';`,
];

/**
 * PostgreSQL's schema steps in order, recorded in `schema_migrations`. Step 1 is the SQLite schema as it stands after
 * its own steps: the same tables, columns and indexes, in PostgreSQL's types (times stay milliseconds since the epoch,
 * in BIGINT). Never edit a step that has shipped: append a new one (to both lists, when both schemas change).
 */
export const POSTGRES_MIGRATIONS: readonly string[] = [
  `CREATE TABLE identities (
     team_id    TEXT NOT NULL,
     user_id    TEXT NOT NULL,
     identifier TEXT NOT NULL UNIQUE,
     created_at BIGINT NOT NULL,
     PRIMARY KEY (team_id, user_id)
   );
   CREATE TABLE connect_links (
     token_hash TEXT PRIMARY KEY,
     team_id    TEXT NOT NULL,
     user_id    TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     expires_at BIGINT NOT NULL,
     used_at    BIGINT,
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   );
   CREATE TABLE connect_flows (
     state_hash   TEXT PRIMARY KEY,
     browser_hash TEXT NOT NULL,
     team_id      TEXT NOT NULL,
     user_id      TEXT NOT NULL,
     created_at   BIGINT NOT NULL,
     expires_at   BIGINT NOT NULL,
     consumed_at  BIGINT,
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   );
   CREATE TABLE parked_requests (
     id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     team_id    TEXT NOT NULL,
     user_id    TEXT NOT NULL,
     channel    TEXT NOT NULL,
     thread_ts  TEXT NOT NULL,
     ts         TEXT NOT NULL,
     text       TEXT NOT NULL,
     is_direct  INTEGER NOT NULL,
     created_at BIGINT NOT NULL,
     status     TEXT NOT NULL DEFAULT 'parked' CHECK (status IN ('parked', 'running')),
     UNIQUE (channel, ts),
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   );
   CREATE INDEX parked_requests_by_user ON parked_requests (team_id, user_id, status);
   CREATE TABLE pending_actions (
     id            TEXT PRIMARY KEY,
     team_id       TEXT NOT NULL,
     user_id       TEXT NOT NULL,
     identifier    TEXT NOT NULL,
     channel       TEXT NOT NULL,
     thread_ts     TEXT NOT NULL,
     message_ts    TEXT,
     tool_name     TEXT NOT NULL,
     arguments     TEXT NOT NULL,
     preview       TEXT NOT NULL,
     snapshot      TEXT,
     status        TEXT NOT NULL CHECK (status IN ('pending', 'executing', 'done', 'failed', 'cancelled', 'expired', 'unknown')),
     created_at    BIGINT NOT NULL,
     expires_at    BIGINT NOT NULL,
     decided_at    BIGINT,
     decided_by    TEXT,
     outcome       TEXT,
     execution_id  TEXT,
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   );
   CREATE INDEX pending_actions_by_user ON pending_actions (team_id, user_id, status);
   CREATE TABLE inbox (
     channel     TEXT NOT NULL,
     ts          TEXT NOT NULL,
     thread_ts   TEXT NOT NULL,
     team_id     TEXT NOT NULL,
     user_id     TEXT NOT NULL,
     event_id    TEXT,
     received_at BIGINT NOT NULL,
     status      TEXT NOT NULL CHECK (status IN ('running', 'done', 'interrupted')),
     PRIMARY KEY (channel, ts)
   );
   CREATE INDEX inbox_by_status ON inbox (status);
   CREATE INDEX inbox_by_received ON inbox (received_at, status);
   CREATE TABLE slack_signins (
     state_hash   TEXT PRIMARY KEY,
     token_hash   TEXT NOT NULL REFERENCES connect_links (token_hash) ON DELETE CASCADE,
     browser_hash TEXT NOT NULL,
     expires_at   BIGINT NOT NULL,
     used_at      BIGINT
   );
   CREATE TABLE audit_log (
     id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     at           BIGINT NOT NULL,
     kind         TEXT NOT NULL CHECK (kind IN ('tool_call', 'approval', 'connection', 'feedback', 'watch')),
     team_id      TEXT NOT NULL,
     user_id      TEXT NOT NULL,
     channel      TEXT,
     thread_ts    TEXT,
     identifier   TEXT NOT NULL,
     tool_name    TEXT NOT NULL,
     args_hash    TEXT,
     summary      TEXT NOT NULL,
     outcome      TEXT NOT NULL,
     execution_id TEXT,
     latency_ms   BIGINT,
     approved_by  TEXT,
     action_id    TEXT
   );
   CREATE INDEX audit_log_by_user ON audit_log (team_id, user_id, at);
   CREATE INDEX audit_log_by_time ON audit_log (at);
   CREATE INDEX audit_log_by_user_activity ON audit_log (team_id, user_id, at, kind, outcome);
   CREATE INDEX audit_log_by_user_kind ON audit_log (team_id, user_id, kind, at);
   CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$;
   CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
     FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
   CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
     FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
   CREATE TABLE followed_threads (
     channel          TEXT NOT NULL,
     thread_ts        TEXT NOT NULL,
     team_id          TEXT NOT NULL,
     last_activity_at BIGINT NOT NULL,
     stopped_at       BIGINT,
     PRIMARY KEY (channel, thread_ts)
   );
   CREATE INDEX followed_threads_by_activity ON followed_threads (last_activity_at);
   CREATE TABLE thread_participants (
     channel   TEXT NOT NULL,
     thread_ts TEXT NOT NULL,
     user_id   TEXT NOT NULL,
     PRIMARY KEY (channel, thread_ts, user_id)
   );
   CREATE TABLE dm_turns (
     id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
     team_id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     role    TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'reset')),
     content TEXT NOT NULL,
     at      BIGINT NOT NULL
   );
   CREATE INDEX dm_turns_by_user ON dm_turns (team_id, user_id, at);
   CREATE INDEX dm_turns_by_time ON dm_turns (at);
   CREATE TABLE watches (
     id               TEXT PRIMARY KEY,
     team_id          TEXT NOT NULL,
     user_id          TEXT NOT NULL,
     conversation_id  TEXT NOT NULL,
     channel          TEXT NOT NULL,
     thread_ts        TEXT NOT NULL,
     customer         TEXT,
     created_at       BIGINT NOT NULL,
     last_activity_at BIGINT NOT NULL,
     last_part_id     TEXT,
     parts_seen       INTEGER NOT NULL,
     state            TEXT NOT NULL,
     assignee         TEXT,
     version          INTEGER NOT NULL DEFAULT 0,
     next_poll_at     BIGINT NOT NULL,
     interval_ms      BIGINT NOT NULL,
     status           TEXT NOT NULL CHECK (status IN ('active', 'paused', 'ended')),
     ended_at         BIGINT,
     ended_reason     TEXT,
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   );
   CREATE UNIQUE INDEX watches_one_per_conversation ON watches (team_id, user_id, conversation_id)
     WHERE status != 'ended';
   CREATE INDEX watches_due ON watches (status, next_poll_at);
   CREATE INDEX watches_by_user ON watches (team_id, user_id, status);
   CREATE INDEX watches_by_activity ON watches (status, last_activity_at);`,
  // Clicks on conversation cards being acted on: a double click (two payloads) runs once.
  `CREATE TABLE card_claims (
     key        TEXT PRIMARY KEY,
     claimed_at BIGINT NOT NULL,
     done_at    BIGINT
   );
   CREATE INDEX card_claims_by_time ON card_claims (claimed_at);`,
  // Scalekit's webhooks and the connections they said broke (as SQLite's step of the same name).
  `CREATE TABLE scalekit_webhooks (
     id          TEXT PRIMARY KEY,
     received_at BIGINT NOT NULL
   );
   CREATE INDEX scalekit_webhooks_by_time ON scalekit_webhooks (received_at);
   CREATE TABLE connection_breaks (
     team_id    TEXT NOT NULL,
     user_id    TEXT NOT NULL,
     status     TEXT NOT NULL,
     broken_at  BIGINT NOT NULL,
     PRIMARY KEY (team_id, user_id),
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   );`,
  // My queue (src/queue), as SQLite's step of the same name.
  `CREATE TABLE queue_followers (
     id            TEXT PRIMARY KEY,
     team_id       TEXT NOT NULL,
     user_id       TEXT NOT NULL,
     status        TEXT NOT NULL CHECK (status IN ('active', 'paused')),
     since         BIGINT NOT NULL,
     cursor        BIGINT,
     next_poll_at  BIGINT NOT NULL,
     interval_ms   BIGINT NOT NULL,
     UNIQUE (team_id, user_id),
     FOREIGN KEY (team_id, user_id) REFERENCES identities (team_id, user_id)
   );
   CREATE INDEX queue_followers_due ON queue_followers (status, next_poll_at);
   CREATE TABLE queue_conversations (
     team_id         TEXT NOT NULL,
     user_id         TEXT NOT NULL,
     conversation_id TEXT NOT NULL,
     updated_at      BIGINT NOT NULL,
     waiting_since   BIGINT,
     PRIMARY KEY (team_id, user_id, conversation_id)
   );
   CREATE TABLE queue_notices (
     team_id         TEXT NOT NULL,
     user_id         TEXT NOT NULL,
     notice_id       TEXT NOT NULL,
     conversation_id TEXT NOT NULL,
     at              BIGINT NOT NULL,
     PRIMARY KEY (team_id, user_id, notice_id)
   );
   CREATE INDEX queue_notices_by_time ON queue_notices (at);`,
  `CREATE TABLE replicas (
     id           TEXT PRIMARY KEY,
     started_at   BIGINT NOT NULL,
     heartbeat_at BIGINT NOT NULL
   );
   CREATE TABLE leases (
     name        TEXT PRIMARY KEY,
     owner       TEXT NOT NULL,
     epoch       BIGINT NOT NULL,
     lease_until BIGINT NOT NULL
   );
   CREATE TABLE run_stops (
     channel      TEXT NOT NULL,
     thread_ts    TEXT NOT NULL,
     requested_at BIGINT NOT NULL,
     PRIMARY KEY (channel, thread_ts)
   );
   ALTER TABLE inbox ADD COLUMN owner TEXT;
   ALTER TABLE parked_requests ADD COLUMN owner TEXT;
   ALTER TABLE pending_actions ADD COLUMN owner TEXT;
   CREATE INDEX inbox_running_by_thread ON inbox (channel, thread_ts, ts) WHERE status = 'running';`,
];
