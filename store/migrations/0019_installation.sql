-- The LINE platform the database serves: the built-in simulator or real
-- LINE (store.DB.MarkLINEPlatform). One row, written at the first start
-- after this migration; once real LINE has been served, it stays "line".
-- The simulator, whose sign-in lets anyone be anyone, refuses a database
-- marked "line", so that a service whose LINE configuration went missing
-- stops instead of carrying on simulated (internal/simulated).
CREATE TABLE installation (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    line_platform TEXT NOT NULL CHECK (line_platform IN ('simulator', 'line')),
    marked_at     INTEGER NOT NULL
) STRICT;
