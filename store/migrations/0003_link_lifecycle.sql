-- The Business Manager link lifecycle: providers and channels, roles,
-- organizations, link requests, links, account linking reviews and the
-- audit log.
--
-- The rules live in internal/portal; this schema repeats the ones whose
-- breach could not be undone, so they hold whatever code (or a person with
-- the sqlite3 shell) writes: enumerations are CHECKed, a link is never
-- deleted, a decided link request never changes again, and the review
-- history and the audit log are append-only. Triggers RAISE(ABORT), which
-- fails the statement and leaves the caller's transaction to roll back.

CREATE TABLE providers (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL CHECK (name <> ''),
    created_at INTEGER NOT NULL
) STRICT;

-- Channels. Business information exists for MINI Apps only: published_* is
-- what reviews compare, draft_* becomes published only when an operator
-- approves its MINI App (re-)review.
CREATE TABLE channels (
    id                              INTEGER PRIMARY KEY,
    provider_id                     INTEGER NOT NULL REFERENCES providers (id),
    kind                            TEXT NOT NULL CHECK (kind IN ('mini_app', 'login', 'messaging_api', 'module')),
    line_channel_id                 TEXT NOT NULL UNIQUE CHECK (length(line_channel_id) = 10 AND line_channel_id NOT GLOB '*[^0-9]*'),
    name                            TEXT NOT NULL CHECK (name <> ''),
    region                          TEXT NOT NULL CHECK (region IN ('JP', 'TW', 'TH')),
    verified                        INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
    published_company_name          TEXT NOT NULL DEFAULT '',
    published_address               TEXT NOT NULL DEFAULT '',
    published_developer_is_service  INTEGER NOT NULL DEFAULT 0 CHECK (published_developer_is_service IN (0, 1)),
    published_provider_is_service   INTEGER NOT NULL DEFAULT 0 CHECK (published_provider_is_service IN (0, 1)),
    draft_company_name              TEXT NOT NULL DEFAULT '',
    draft_address                   TEXT NOT NULL DEFAULT '',
    draft_developer_is_service      INTEGER NOT NULL DEFAULT 0 CHECK (draft_developer_is_service IN (0, 1)),
    draft_provider_is_service       INTEGER NOT NULL DEFAULT 0 CHECK (draft_provider_is_service IN (0, 1)),
    miniapp_review                  TEXT NOT NULL DEFAULT 'none' CHECK (miniapp_review IN ('none', 'pending', 'rejected')),
    miniapp_review_reason           TEXT NOT NULL DEFAULT '',
    miniapp_review_submitted_at     INTEGER,
    created_at                      INTEGER NOT NULL,
    CHECK (miniapp_review <> 'pending' OR miniapp_review_submitted_at IS NOT NULL),
    CHECK (miniapp_review <> 'rejected' OR miniapp_review_reason <> ''),
    CHECK (kind = 'mini_app' OR (verified = 0 AND miniapp_review = 'none'))
) STRICT;

-- The operators' list of all channels filtered by kind, newest first.
CREATE INDEX channels_kind ON channels (kind, id);
-- The MINI App review queue, oldest submission first.
CREATE INDEX channels_miniapp_queue ON channels (miniapp_review_submitted_at, id) WHERE miniapp_review = 'pending';

CREATE TABLE channel_roles (
    channel_id INTEGER NOT NULL REFERENCES channels (id),
    admin_id   INTEGER NOT NULL REFERENCES admins (id),
    role       TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    PRIMARY KEY (channel_id, admin_id)
) STRICT, WITHOUT ROWID;

-- "My channels", newest first.
CREATE INDEX channel_roles_admin ON channel_roles (admin_id, channel_id);

-- Organizations. The ID is LINE's own ("BM" + 11 digits): people type it,
-- so it is the key rather than a second, internal number.
CREATE TABLE organizations (
    id                        TEXT PRIMARY KEY CHECK (id GLOB 'BM[0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]'),
    name                      TEXT NOT NULL CHECK (name <> ''),
    region                    TEXT NOT NULL CHECK (region IN ('JP', 'TW', 'TH')),
    company_name              TEXT NOT NULL DEFAULT '',
    address                   TEXT NOT NULL DEFAULT '',
    verification              TEXT NOT NULL DEFAULT 'unverified' CHECK (verification IN ('unverified', 'in_review', 'verified', 'rejected')),
    verification_reason       TEXT NOT NULL DEFAULT '',
    verification_submitted_at INTEGER,
    created_at                INTEGER NOT NULL,
    CHECK (verification <> 'in_review' OR verification_submitted_at IS NOT NULL),
    CHECK (verification <> 'rejected' OR verification_reason <> '')
) STRICT;

-- The organization verification queue, oldest submission first.
CREATE INDEX organizations_verification_queue ON organizations (verification_submitted_at, id) WHERE verification = 'in_review';

-- LINE: a verified organization's business info can't change. Reviews that
-- were decided against it stay true only if it doesn't.
CREATE TRIGGER organizations_verified_info_is_final
BEFORE UPDATE OF company_name, address ON organizations
WHEN OLD.verification = 'verified' AND (NEW.company_name IS NOT OLD.company_name OR NEW.address IS NOT OLD.address)
BEGIN
    SELECT RAISE(ABORT, 'the business info of a verified organization never changes');
END;

CREATE TABLE organization_admins (
    org_id   TEXT NOT NULL REFERENCES organizations (id),
    admin_id INTEGER NOT NULL REFERENCES admins (id),
    added_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, admin_id)
) STRICT, WITHOUT ROWID;

-- "My organizations" and "does this admin administer that organization".
CREATE INDEX organization_admins_admin ON organization_admins (admin_id, org_id);

-- Link requests. Only the SHA-256 of the URL's token is kept, so a copy of
-- the database can't approve anything; it is NULL when the sender
-- administered the organization and the request was approved at once.
-- "Expired" is not a state here: it is a pending request whose expires_at
-- has passed, read off the clock, so opening a URL never has to write.
CREATE TABLE link_requests (
    id         INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL REFERENCES channels (id),
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    sent_by    INTEGER NOT NULL REFERENCES admins (id),
    token_hash BLOB UNIQUE CHECK (length(token_hash) = 32),
    state      TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'replaced')),
    issued_at  INTEGER NOT NULL,
    -- 168 hours (portal.LinkRequestValidity) in milliseconds.
    expires_at INTEGER NOT NULL CHECK (expires_at = issued_at + 604800000),
    decided_at INTEGER,
    decided_by INTEGER REFERENCES admins (id),
    CHECK ((state = 'pending') = (decided_at IS NULL)),
    CHECK ((state = 'approved') = (decided_by IS NOT NULL)),
    CHECK (token_hash IS NOT NULL OR state = 'approved')
) STRICT;

-- Sending again replaces the older URL: at most one works at a time.
CREATE UNIQUE INDEX link_requests_one_pending ON link_requests (channel_id) WHERE state = 'pending';
-- The channel's and the organization's lists of requests, newest first.
CREATE INDEX link_requests_channel ON link_requests (channel_id, id);
CREATE INDEX link_requests_org ON link_requests (org_id, id);

-- A decided request is history: approved can't be approved again and a
-- replaced or approved URL must never work again.
CREATE TRIGGER link_requests_decided_are_final
BEFORE UPDATE ON link_requests
WHEN OLD.state <> 'pending'
BEGIN
    SELECT RAISE(ABORT, 'a decided link request never changes');
END;

CREATE TRIGGER link_requests_keep_their_terms
BEFORE UPDATE ON link_requests
WHEN NEW.channel_id IS NOT OLD.channel_id OR NEW.org_id IS NOT OLD.org_id OR NEW.sent_by IS NOT OLD.sent_by
  OR NEW.token_hash IS NOT OLD.token_hash OR NEW.issued_at IS NOT OLD.issued_at OR NEW.expires_at IS NOT OLD.expires_at
BEGIN
    SELECT RAISE(ABORT, 'a link request keeps its channel, organization, sender, token and validity');
END;

CREATE TRIGGER link_requests_are_kept
BEFORE DELETE ON link_requests
BEGIN
    SELECT RAISE(ABORT, 'link requests are never deleted');
END;

-- Links. LINE: a link can't be removed. A transfer ends the channel's link
-- (ended_at) and inserts a new one to the destination, so every link that
-- ever existed stays, with its own review history.
--
-- The subject is a channel today. Official Accounts (issue 5) get their own
-- nullable subject column; links_need_a_subject is then replaced by a
-- trigger requiring exactly one subject. A trigger rather than a CHECK, so
-- that widening it does not mean rebuilding the table.
CREATE TABLE links (
    id         INTEGER PRIMARY KEY,
    channel_id INTEGER REFERENCES channels (id),
    org_id     TEXT NOT NULL REFERENCES organizations (id),
    linked_at  INTEGER NOT NULL,
    linked_by  INTEGER NOT NULL REFERENCES admins (id),
    ended_at   INTEGER,
    CHECK (ended_at IS NULL OR ended_at >= linked_at)
) STRICT;

-- One current link per channel: two approvals can't both link it.
CREATE UNIQUE INDEX links_current_channel ON links (channel_id) WHERE ended_at IS NULL;
-- The organization's "Accounts & channels", newest link first.
CREATE INDEX links_org_current ON links (org_id, id) WHERE ended_at IS NULL;
-- Every link a channel ever had, for its review history.
CREATE INDEX links_channel ON links (channel_id, id);

CREATE TRIGGER links_need_a_subject
BEFORE INSERT ON links
WHEN NEW.channel_id IS NULL
BEGIN
    SELECT RAISE(ABORT, 'a link needs a subject');
END;

CREATE TRIGGER links_are_never_removed
BEFORE DELETE ON links
BEGIN
    SELECT RAISE(ABORT, 'a link can never be removed; transfer the channel instead');
END;

-- Only ending a current link is a change; what was linked to what, when and
-- by whom stays as it was.
CREATE TRIGGER links_only_end
BEFORE UPDATE ON links
WHEN NEW.channel_id IS NOT OLD.channel_id OR NEW.org_id IS NOT OLD.org_id OR NEW.linked_at IS NOT OLD.linked_at
  OR NEW.linked_by IS NOT OLD.linked_by OR OLD.ended_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a link can only be ended, once, by a transfer');
END;

-- Account linking reviews: the history of every run, newest row = current
-- state. Keyed by link, not by channel, so an Official Account's link
-- (issue 5) reviews through the same table. org_id repeats the link's
-- organization so that an organization's history needs no join.
CREATE TABLE link_reviews (
    id       INTEGER PRIMARY KEY,
    link_id  INTEGER NOT NULL REFERENCES links (id),
    org_id   TEXT NOT NULL REFERENCES organizations (id),
    event    TEXT NOT NULL CHECK (event IN ('start', 'run', 'resubmit', 'override')),
    status   TEXT NOT NULL CHECK (status IN ('unverified', 'verified', 'rejected')),
    cause    TEXT NOT NULL DEFAULT '' CHECK (cause IN ('', 'mismatch', 'channel_info', 'organization_info', 'wrong_organization')),
    reason   TEXT NOT NULL CHECK (reason <> ''),
    actor_id INTEGER NOT NULL REFERENCES admins (id),
    at       INTEGER NOT NULL,
    CHECK ((status = 'rejected') = (cause <> ''))
) STRICT;

-- The current review of a link is max(id) for the link: one index seek.
CREATE INDEX link_reviews_link ON link_reviews (link_id, id);
CREATE INDEX link_reviews_org ON link_reviews (org_id, id);

CREATE TRIGGER link_reviews_follow_their_link
BEFORE INSERT ON link_reviews
WHEN NEW.org_id IS NOT (SELECT org_id FROM links WHERE id = NEW.link_id)
  OR (SELECT ended_at FROM links WHERE id = NEW.link_id) IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a review belongs to a current link and its organization');
END;

CREATE TRIGGER link_reviews_are_history
BEFORE UPDATE ON link_reviews
BEGIN
    SELECT RAISE(ABORT, 'review history is append-only');
END;

CREATE TRIGGER link_reviews_are_kept
BEFORE DELETE ON link_reviews
BEGIN
    SELECT RAISE(ABORT, 'review history is append-only');
END;

-- The audit log: one row per state change, written in the transaction that
-- makes the change. action is free text ("<subject>.<verb>", see
-- portal.AuditAction) so that new features add actions without a table
-- rebuild. channel_id and org_id place an entry on those pages.
CREATE TABLE audit_log (
    id           INTEGER PRIMARY KEY,
    at           INTEGER NOT NULL,
    actor_id     INTEGER NOT NULL REFERENCES admins (id),
    action       TEXT NOT NULL CHECK (action GLOB '?*.?*'),
    subject_kind TEXT NOT NULL CHECK (subject_kind IN ('provider', 'channel', 'organization', 'link_request', 'link')),
    subject_id   TEXT NOT NULL CHECK (subject_id <> ''),
    channel_id   INTEGER REFERENCES channels (id),
    org_id       TEXT REFERENCES organizations (id),
    before       TEXT NOT NULL,
    after        TEXT NOT NULL
) STRICT;

CREATE INDEX audit_log_channel ON audit_log (channel_id, id) WHERE channel_id IS NOT NULL;
CREATE INDEX audit_log_org ON audit_log (org_id, id) WHERE org_id IS NOT NULL;

CREATE TRIGGER audit_log_is_append_only_update
BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

CREATE TRIGGER audit_log_is_append_only_delete
BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
