-- LINE Official Accounts: the accounts themselves and their admins' roles,
-- their links to Business Manager organizations (the links table, now with
-- a second kind of subject), the links between MINI App channels and
-- accounts, and LINE Login channels' "Linked OA".
--
-- As in 0003, the schema repeats the rules whose breach could not be
-- undone: a MINI App channel's link to an account is made only between two
-- Verified accounts of one organization, links to at most one account, and
-- is never changed or removed.

-- An account sends and receives messages through one Messaging API
-- channel, which places it in that channel's provider. Business info
-- (company_name, address) is what its account linking review compares with
-- the organization's.
CREATE TABLE official_accounts (
    id           INTEGER PRIMARY KEY,
    basic_id     TEXT NOT NULL UNIQUE CHECK (length(basic_id) >= 2 AND basic_id GLOB '@*' AND substr(basic_id, 2) NOT GLOB '*[^a-z0-9._-]*'),
    name         TEXT NOT NULL CHECK (name <> ''),
    picture_url  TEXT NOT NULL DEFAULT '',
    channel_id   INTEGER NOT NULL UNIQUE REFERENCES channels (id),
    package      TEXT NOT NULL CHECK (package IN ('free', 'basic', 'pro')),
    company_name TEXT NOT NULL DEFAULT '',
    address      TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL
) STRICT;

CREATE TRIGGER official_accounts_use_a_messaging_api_channel
BEFORE INSERT ON official_accounts
WHEN (SELECT kind FROM channels WHERE id = NEW.channel_id) IS NOT 'messaging_api'
BEGIN
    SELECT RAISE(ABORT, 'an Official Account uses a Messaging API channel');
END;

-- The channel decides the account's provider, which a Login channel's
-- Linked OA was checked against; moving it would leave such links wrong.
CREATE TRIGGER official_accounts_keep_their_identity
BEFORE UPDATE OF basic_id, channel_id ON official_accounts
WHEN NEW.basic_id IS NOT OLD.basic_id OR NEW.channel_id IS NOT OLD.channel_id
BEGIN
    SELECT RAISE(ABORT, 'an Official Account keeps its basic ID and its Messaging API channel');
END;

CREATE TABLE official_account_roles (
    official_account_id INTEGER NOT NULL REFERENCES official_accounts (id),
    admin_id            INTEGER NOT NULL REFERENCES admins (id),
    role                TEXT NOT NULL CHECK (role IN ('admin', 'member')),
    PRIMARY KEY (official_account_id, admin_id)
) STRICT, WITHOUT ROWID;

-- "My Official Accounts", newest first.
CREATE INDEX official_account_roles_admin ON official_account_roles (admin_id, official_account_id);

-- Links to organizations: a link's subject is now a channel or an Official
-- Account, exactly one of the two, as 0003 planned.
ALTER TABLE links ADD COLUMN official_account_id INTEGER REFERENCES official_accounts (id);

-- One current link per account, as per channel.
CREATE UNIQUE INDEX links_current_official_account ON links (official_account_id) WHERE ended_at IS NULL AND official_account_id IS NOT NULL;
-- Every link an account ever had, for its review history.
CREATE INDEX links_official_account ON links (official_account_id, id) WHERE official_account_id IS NOT NULL;

DROP TRIGGER links_need_a_subject;

CREATE TRIGGER links_need_one_subject
BEFORE INSERT ON links
WHEN (NEW.channel_id IS NULL) = (NEW.official_account_id IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'a link needs one subject: a channel or an Official Account');
END;

DROP TRIGGER links_only_end;

CREATE TRIGGER links_only_end
BEFORE UPDATE ON links
WHEN NEW.channel_id IS NOT OLD.channel_id OR NEW.official_account_id IS NOT OLD.official_account_id
  OR NEW.org_id IS NOT OLD.org_id OR NEW.linked_at IS NOT OLD.linked_at
  OR NEW.linked_by IS NOT OLD.linked_by OR OLD.ended_at IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a link can only be ended, once, by a transfer');
END;

-- A MINI App channel's link to an Official Account. LINE: it can't be
-- removed, and a channel links to at most one account (the key). org_id is
-- the organization both were linked to when they were linked: a later
-- transfer of either does not undo the link.
CREATE TABLE mini_app_oa_links (
    channel_id          INTEGER PRIMARY KEY REFERENCES channels (id),
    official_account_id INTEGER NOT NULL REFERENCES official_accounts (id),
    org_id              TEXT NOT NULL REFERENCES organizations (id),
    linked_at           INTEGER NOT NULL,
    linked_by           INTEGER NOT NULL REFERENCES admins (id)
) STRICT;

-- The account's linked channels, newest first.
CREATE INDEX mini_app_oa_links_official_account ON mini_app_oa_links (official_account_id, linked_at);

-- LINE's requirements, checked again at the last moment: a MINI App
-- channel and an account whose current links are both to org_id, both with
-- a Verified account linking review (the newest row of its history).
CREATE TRIGGER mini_app_oa_links_need_verified_links
BEFORE INSERT ON mini_app_oa_links
WHEN (SELECT kind FROM channels WHERE id = NEW.channel_id) IS NOT 'mini_app'
  OR NOT EXISTS (SELECT 1 FROM links l WHERE l.channel_id = NEW.channel_id AND l.org_id = NEW.org_id AND l.ended_at IS NULL
       AND (SELECT status FROM link_reviews WHERE link_id = l.id ORDER BY id DESC LIMIT 1) = 'verified')
  OR NOT EXISTS (SELECT 1 FROM links l WHERE l.official_account_id = NEW.official_account_id AND l.org_id = NEW.org_id AND l.ended_at IS NULL
       AND (SELECT status FROM link_reviews WHERE link_id = l.id ORDER BY id DESC LIMIT 1) = 'verified')
BEGIN
    SELECT RAISE(ABORT, 'a MINI App channel and an Official Account are linked only when both are linked to the same organization with Verified account linking reviews');
END;

-- INSERT OR REPLACE deletes the row it conflicts with without firing
-- DELETE triggers (recursive_triggers is off), so a second link for the
-- same channel is refused before the conflict is resolved.
CREATE TRIGGER mini_app_oa_links_are_never_replaced
BEFORE INSERT ON mini_app_oa_links
WHEN EXISTS (SELECT 1 FROM mini_app_oa_links WHERE channel_id = NEW.channel_id)
BEGIN
    SELECT RAISE(ABORT, 'a MINI App channel links to at most one Official Account, for good');
END;

CREATE TRIGGER mini_app_oa_links_never_change
BEFORE UPDATE ON mini_app_oa_links
BEGIN
    SELECT RAISE(ABORT, 'a link between a MINI App channel and an Official Account can never change');
END;

CREATE TRIGGER mini_app_oa_links_are_never_removed
BEFORE DELETE ON mini_app_oa_links
BEGIN
    SELECT RAISE(ABORT, 'a link between a MINI App channel and an Official Account can never be removed');
END;

-- A LINE Login channel's Linked OA: at most one (the key), which its
-- Admins may change; the audit log keeps every change. LINE requires the
-- account's Messaging API channel to belong to the Login channel's
-- provider.
CREATE TABLE login_linked_oas (
    channel_id          INTEGER PRIMARY KEY REFERENCES channels (id),
    official_account_id INTEGER NOT NULL REFERENCES official_accounts (id),
    linked_at           INTEGER NOT NULL,
    linked_by           INTEGER NOT NULL REFERENCES admins (id)
) STRICT;

-- The Login channels an account is the Linked OA of.
CREATE INDEX login_linked_oas_official_account ON login_linked_oas (official_account_id, channel_id);

CREATE TRIGGER login_linked_oas_same_provider_insert
BEFORE INSERT ON login_linked_oas
WHEN (SELECT kind FROM channels WHERE id = NEW.channel_id) IS NOT 'login'
  OR (SELECT provider_id FROM channels WHERE id = NEW.channel_id)
     IS NOT (SELECT c.provider_id FROM official_accounts o JOIN channels c ON c.id = o.channel_id WHERE o.id = NEW.official_account_id)
BEGIN
    SELECT RAISE(ABORT, 'a Linked OA belongs to a LINE Login channel of the same provider');
END;

CREATE TRIGGER login_linked_oas_same_provider_update
BEFORE UPDATE ON login_linked_oas
WHEN (SELECT kind FROM channels WHERE id = NEW.channel_id) IS NOT 'login'
  OR (SELECT provider_id FROM channels WHERE id = NEW.channel_id)
     IS NOT (SELECT c.provider_id FROM official_accounts o JOIN channels c ON c.id = o.channel_id WHERE o.id = NEW.official_account_id)
BEGIN
    SELECT RAISE(ABORT, 'a Linked OA belongs to a LINE Login channel of the same provider');
END;

-- The audit log gains official_account_id, which places an entry on an
-- account's page, and new subject kinds. 0003 enumerated the kinds in a
-- CHECK, which SQLite can't alter, so the table is rebuilt once (DROP TABLE
-- fires no triggers) and the enumeration becomes a trigger, which a later
-- migration can widen without another rebuild.
CREATE TABLE audit_log_new (
    id                  INTEGER PRIMARY KEY,
    at                  INTEGER NOT NULL,
    actor_id            INTEGER NOT NULL REFERENCES admins (id),
    action              TEXT NOT NULL CHECK (action GLOB '?*.?*'),
    subject_kind        TEXT NOT NULL,
    subject_id          TEXT NOT NULL CHECK (subject_id <> ''),
    channel_id          INTEGER REFERENCES channels (id),
    official_account_id INTEGER REFERENCES official_accounts (id),
    org_id              TEXT REFERENCES organizations (id),
    before              TEXT NOT NULL,
    after               TEXT NOT NULL
) STRICT;

INSERT INTO audit_log_new (id, at, actor_id, action, subject_kind, subject_id, channel_id, org_id, before, after)
SELECT id, at, actor_id, action, subject_kind, subject_id, channel_id, org_id, before, after FROM audit_log;

DROP TABLE audit_log;

ALTER TABLE audit_log_new RENAME TO audit_log;

CREATE INDEX audit_log_channel ON audit_log (channel_id, id) WHERE channel_id IS NOT NULL;
CREATE INDEX audit_log_org ON audit_log (org_id, id) WHERE org_id IS NOT NULL;
CREATE INDEX audit_log_official_account ON audit_log (official_account_id, id) WHERE official_account_id IS NOT NULL;

CREATE TRIGGER audit_log_subject_kinds
BEFORE INSERT ON audit_log
WHEN NEW.subject_kind NOT IN ('provider', 'channel', 'organization', 'link_request', 'link', 'official_account', 'oa_link')
BEGIN
    SELECT RAISE(ABORT, 'unknown audit subject kind');
END;

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
