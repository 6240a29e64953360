-- The PostgreSQL edition of the schema. Every migration here has a twin of
-- the same name in the directory above (SQLite's), with the same tables,
-- columns, keys, CHECKs and triggers; store's tests compare the two.
--
-- Conventions: timestamps are UTC Unix milliseconds in BIGINT columns;
-- SQLite's INTEGER columns are BIGINT (flags keep their CHECK (x IN (0, 1))
-- rather than becoming boolean, so both engines hold the same values),
-- INTEGER PRIMARY KEY is an identity column, BLOB is BYTEA, GLOB is a
-- regular expression.

-- refuse is what every rule-enforcing trigger runs: it fails the statement
-- with the trigger's message, as SQLite's RAISE(ABORT, …) does, and the
-- caller's transaction rolls back. A trigger's WHEN clause says when.
CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END;
$$;

-- Web sessions. The browser's cookie carries only a random ID; this row
-- holds the data. Only the SHA-256 of the ID is stored, so a copy of the
-- database does not let anyone sign in as an admin.
CREATE TABLE sessions (
    id_hash      BYTEA PRIMARY KEY,
    data         BYTEA NOT NULL,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);

-- The expiry sweep deletes by idle time.
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
