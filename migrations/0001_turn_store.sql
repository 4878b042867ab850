-- The PostgreSQL session store (src/sessions/pg-store.ts), version 1: the same
-- tables as the SQLite store's schema version 2. Applied by node-pg-migrate
-- (`npm run db:migrate`, or at start-up with DATABASE_MIGRATE=true), which
-- records it in advisor_migrations. Add new files; never edit a shipped one.
--
-- Times are milliseconds since the epoch (bigint), as in SQLite; the store
-- takes them from the database's clock. JSON documents are `json`, not
-- `jsonb`: `json` keeps the text as written, so a "\u0000" typed by someone
-- into an answer is stored instead of being refused.

-- Up Migration

CREATE TABLE sessions (
  id           text PRIMARY KEY,
  platform     text NOT NULL,
  workspace    text NOT NULL,
  conversation text NOT NULL,
  user_id      text NOT NULL,
  version      integer NOT NULL,
  state        json NOT NULL, -- Session
  created_at   bigint NOT NULL,
  updated_at   bigint NOT NULL
);
CREATE INDEX sessions_by_conversation ON sessions (platform, workspace, conversation);
CREATE INDEX sessions_by_updated_at ON sessions (updated_at);

CREATE TABLE threads (
  id           text PRIMARY KEY,
  platform     text NOT NULL,
  workspace    text NOT NULL,
  conversation text NOT NULL,
  version      integer NOT NULL,
  state        json NOT NULL, -- ThreadState
  updated_at   bigint NOT NULL
);
CREATE INDEX threads_by_updated_at ON threads (updated_at);

-- Claimed with INSERT ... ON CONFLICT inside the turn's own transaction.
CREATE TABLE deliveries (
  id         text PRIMARY KEY,
  expires_at bigint NOT NULL
);
CREATE INDEX deliveries_by_expiry ON deliveries (expires_at);

CREATE TABLE outbox (
  seq             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  thread_id       text NOT NULL,
  platform        text NOT NULL,
  workspace       text NOT NULL,
  conversation    text NOT NULL,
  handle          text,
  operation       json NOT NULL, -- Operation
  delivery_id     text,
  actor           text,
  status          text NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
  attempts        integer NOT NULL DEFAULT 0,
  lease_owner     text,
  lease_until     bigint NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL DEFAULT 0,
  message_id      text,
  error           text,
  created_at      bigint NOT NULL,
  updated_at      bigint NOT NULL
);
-- Partial indexes: the hot paths only ever look at unsent rows, or at sent rows by handle.
CREATE INDEX outbox_pending_by_thread ON outbox (thread_id, seq) WHERE status = 'pending';
CREATE INDEX outbox_pending_by_platform ON outbox (platform, seq) WHERE status = 'pending';
CREATE INDEX outbox_sent_by_handle ON outbox (thread_id, handle, seq) WHERE status = 'sent';
CREATE INDEX outbox_finished_by_updated_at ON outbox (updated_at) WHERE status <> 'pending';

-- A turn commits in one statement (src/sessions/pg-commit.ts) whose checks call
-- this to stop it: raising undoes everything the statement wrote. The message
-- names the check (duplicate_delivery, session_conflict, thread_conflict).
CREATE FUNCTION advisor_fail(check_name text) RETURNS integer
  LANGUAGE plpgsql VOLATILE AS $$
BEGIN
  RAISE EXCEPTION USING ERRCODE = 'AD001', MESSAGE = check_name;
END
$$;

-- Down Migration

DROP FUNCTION advisor_fail(text);
DROP TABLE outbox;
DROP TABLE deliveries;
DROP TABLE threads;
DROP TABLE sessions;
