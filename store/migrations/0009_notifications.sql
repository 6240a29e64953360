-- Notifications (issue 11): each change that needs someone's action is
-- recorded, for each person concerned, in the transaction that makes the
-- change, and shown in the portal (unread until read_at). params holds
-- what the message names, as a JSON object of strings; the page writes the
-- sentence in the reader's language.
CREATE TABLE notifications (
    id         INTEGER PRIMARY KEY,
    admin_id   INTEGER NOT NULL REFERENCES admins (id),
    kind       TEXT NOT NULL CHECK (kind <> ''),
    params     TEXT NOT NULL DEFAULT '{}',
    created_at INTEGER NOT NULL,
    read_at    INTEGER
) STRICT;

-- A person's notifications, newest first, and their unread count.
CREATE INDEX notifications_admin ON notifications (admin_id, id);
CREATE INDEX notifications_unread ON notifications (admin_id) WHERE read_at IS NULL;

-- A pending link request whose URL expires within a day is noticed once,
-- by whichever portal instance holds the timed job's lease.
ALTER TABLE link_requests ADD COLUMN expiry_noticed_at INTEGER;

CREATE INDEX link_requests_expiring ON link_requests (expires_at) WHERE state = 'pending' AND expiry_noticed_at IS NULL;

-- Leases of background jobs: the instance whose holder ID is in the row
-- runs the job until expires_at, so that several instances on one
-- database run it once.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY,
    holder     TEXT NOT NULL,
    expires_at INTEGER NOT NULL
) STRICT;
