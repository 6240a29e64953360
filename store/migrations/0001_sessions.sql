-- Conventions for every table: timestamps are UTC Unix milliseconds in
-- INTEGER columns; tables are STRICT so a wrong type is an error, not a
-- silent conversion.

-- Web sessions. The browser's cookie carries only a random ID; this row
-- holds the data. Only the SHA-256 of the ID is stored, so a copy of the
-- database does not let anyone sign in as an admin.
CREATE TABLE sessions (
    id_hash      BLOB PRIMARY KEY,
    data         BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
) STRICT, WITHOUT ROWID;

-- The expiry sweep deletes by idle time.
CREATE INDEX sessions_last_seen ON sessions (last_seen_at);
