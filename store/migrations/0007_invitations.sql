-- Invitations (issue 11): people join a channel, an Official Account or an
-- organization by a single-use URL instead of by LINE user ID.
--
-- Only the SHA-256 of the URL's token is kept, so a copy of the database
-- can't accept anything. As for link requests, "expired" is not a state
-- here but a pending invitation whose expires_at has passed, read off the
-- clock, so opening a URL never writes.
CREATE TABLE invitations (
    id                  INTEGER PRIMARY KEY,
    token_hash          BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    channel_id          INTEGER REFERENCES channels (id),
    official_account_id INTEGER REFERENCES official_accounts (id),
    org_id              TEXT REFERENCES organizations (id),
    role                TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    note                TEXT NOT NULL DEFAULT '' CHECK (length(note) <= 500),
    invited_by          INTEGER NOT NULL REFERENCES admins (id),
    state               TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'declined', 'revoked')),
    issued_at           INTEGER NOT NULL,
    -- 7 days (portal.InvitationValidity) in milliseconds.
    expires_at          INTEGER NOT NULL CHECK (expires_at = issued_at + 604800000),
    decided_at          INTEGER,
    decided_by          INTEGER REFERENCES admins (id),
    -- One team: a channel, an Official Account or an organization.
    CHECK ((channel_id IS NOT NULL) + (official_account_id IS NOT NULL) + (org_id IS NOT NULL) = 1),
    -- An organization has administrators only.
    CHECK (org_id IS NULL OR role = 'admin'),
    CHECK ((state = 'pending') = (decided_at IS NULL)),
    CHECK ((state = 'pending') = (decided_by IS NULL))
) STRICT;

-- Each team's pending invitations, newest first.
CREATE INDEX invitations_channel ON invitations (channel_id, id) WHERE channel_id IS NOT NULL;
CREATE INDEX invitations_official_account ON invitations (official_account_id, id) WHERE official_account_id IS NOT NULL;
CREATE INDEX invitations_org ON invitations (org_id, id) WHERE org_id IS NOT NULL;

-- A decided invitation never changes again.
CREATE TRIGGER invitations_decided_is_final
BEFORE UPDATE ON invitations
WHEN OLD.state <> 'pending'
BEGIN
    SELECT RAISE(ABORT, 'a decided invitation never changes');
END;

-- The audit log learns the invitation subject.
DROP TRIGGER audit_log_subject_kinds;

CREATE TRIGGER audit_log_subject_kinds
BEFORE INSERT ON audit_log
WHEN NEW.subject_kind NOT IN ('provider', 'channel', 'organization', 'link_request', 'link', 'official_account', 'oa_link', 'invitation')
BEGIN
    SELECT RAISE(ABORT, 'unknown audit subject kind');
END;
