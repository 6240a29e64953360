-- Module channels (issue 6): channel credentials, attachments to LINE
-- Official Accounts' bots, chat control, the webhook events LINE sends and
-- the per-account user records the portal keeps.
--
-- The rules live in internal/portal (module.go, module_event.go); as in
-- 0003 and 0004, the schema repeats the ones whose breach would be silent:
-- a secret stored in clear, two attachments of one channel to one bot, an
-- event stored twice.

-- A channel's secret (signs its webhooks, exchanges attach codes) and
-- access token (calls LINE's APIs), for module channels and for Messaging
-- API channels whose webhooks come to the portal. Both are sealed with
-- internal/secret (AES-256-GCM) and bound to "channel:<id>:secret" or
-- "channel:<id>:token", so a copy of the database reveals neither and a
-- value moved to another row or column does not open. The length CHECK is
-- the sealed size of a 32-character secret (1 version byte, 12 nonce, 32,
-- 16 tag): a secret written in clear (32 bytes) can't be stored.
CREATE TABLE channel_credentials (
    channel_id    INTEGER PRIMARY KEY REFERENCES channels (id),
    sealed_secret BLOB NOT NULL CHECK (length(sealed_secret) = 61 AND substr(sealed_secret, 1, 1) = x'01'),
    sealed_token  BLOB NOT NULL CHECK (length(sealed_token) > 29 AND substr(sealed_token, 1, 1) = x'01'),
    updated_at    INTEGER NOT NULL
) STRICT;

CREATE TRIGGER channel_credentials_module_or_messaging_api
BEFORE INSERT ON channel_credentials
WHEN (SELECT kind FROM channels WHERE id = NEW.channel_id) NOT IN ('module', 'messaging_api')
BEGIN
    SELECT RAISE(ABORT, 'only module and Messaging API channels have credentials');
END;

-- A module channel's attachment to one bot. One row per (channel, bot),
-- ever: attaching again after a detach reuses it (the event history and
-- the audit log keep the earlier attachments), so "one current attachment
-- per channel and bot" holds by the key.
--
-- attached_at and detached_at are LINE's times of the events (or the
-- portal's time of an admin's action), and suspension_changed_at LINE's
-- time of the last botSuspended or botResumed: an older event, delivered
-- late, must not undo a newer one. basic_id, premium_id, display_name and
-- picture_url come from LINE's bot list, empty until it is read. scopes
-- are space-separated, as in LINE's authorization URL.
CREATE TABLE module_attachments (
    id                    INTEGER PRIMARY KEY,
    channel_id            INTEGER NOT NULL REFERENCES channels (id),
    bot_id                TEXT NOT NULL CHECK (length(bot_id) = 33 AND bot_id GLOB 'U*' AND substr(bot_id, 2) NOT GLOB '*[^0-9a-f]*'),
    basic_id              TEXT NOT NULL DEFAULT '',
    premium_id            TEXT NOT NULL DEFAULT '',
    display_name          TEXT NOT NULL DEFAULT '',
    picture_url           TEXT NOT NULL DEFAULT '',
    scopes                TEXT NOT NULL DEFAULT '',
    state                 TEXT NOT NULL CHECK (state IN ('attached', 'detached')),
    attached_at           INTEGER NOT NULL,
    detached_at           INTEGER,
    detach_reason         TEXT NOT NULL DEFAULT '' CHECK (detach_reason IN ('', 'bot_deleted', 'ended_use', 'by_admin', 'other')),
    suspended             INTEGER NOT NULL DEFAULT 0 CHECK (suspended IN (0, 1)),
    suspension_changed_at INTEGER,
    updated_at            INTEGER NOT NULL,
    UNIQUE (channel_id, bot_id),
    CHECK ((state = 'detached') = (detached_at IS NOT NULL)),
    CHECK ((state = 'detached') = (detach_reason <> '')),
    -- A detached bot is not suspended: that state belonged to the attachment.
    CHECK (state = 'attached' OR suspended = 0)
) STRICT;

-- The channel's bot list, newest attachment first.
CREATE INDEX module_attachments_channel ON module_attachments (channel_id, id);

CREATE TRIGGER module_attachments_of_module_channels
BEFORE INSERT ON module_attachments
WHEN (SELECT kind FROM channels WHERE id = NEW.channel_id) IS NOT 'module'
BEGIN
    SELECT RAISE(ABORT, 'only a module channel attaches to bots');
END;

CREATE TRIGGER module_attachments_keep_their_identity
BEFORE UPDATE OF channel_id, bot_id ON module_attachments
WHEN NEW.channel_id IS NOT OLD.channel_id OR NEW.bot_id IS NOT OLD.bot_id
BEGIN
    SELECT RAISE(ABORT, 'an attachment keeps its channel and bot');
END;

-- Chat control: whether the module is the Active Channel of a chat of an
-- attached bot, until expire_at (NULL: no time limit). Rows are kept when
-- control ends (active = 0) so that changed_at, LINE's time of the event
-- that set the state, keeps a late activated event from reviving it. A
-- detach deletes the attachment's rows; so does the user blocking the
-- account, for their 1:1 chat.
CREATE TABLE module_chat_controls (
    attachment_id INTEGER NOT NULL REFERENCES module_attachments (id),
    chat_id       TEXT NOT NULL CHECK (chat_id <> ''),
    active        INTEGER NOT NULL CHECK (active IN (0, 1)),
    expire_at     INTEGER,
    changed_at    INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (attachment_id, chat_id),
    CHECK (active = 1 OR expire_at IS NULL)
) STRICT, WITHOUT ROWID;

-- A user's chats, deleted when they block the account.
CREATE INDEX module_chat_controls_chat ON module_chat_controls (chat_id);

-- Webhook events, each stored once per channel: LINE's webhookEventId is
-- the same on every redelivery, and the UNIQUE key makes a second copy an
-- INSERT that does nothing, however many arrive at once.
--
-- payload is the event's JSON exactly as LINE sent it (not re-encoded).
-- When the user an event came from blocks the account, payload and
-- source_user_id become NULL, but the row stays: its webhook_event_id still
-- recognises a redelivery. bot_id is the bot the event is about (module
-- events name it; otherwise the destination). is_redelivery is as first
-- received. processed_at is when the portal applied the event's state
-- change, in the transaction that stored it; NULL for a type the portal
-- does not act on.
CREATE TABLE webhook_events (
    id               INTEGER PRIMARY KEY,
    channel_id       INTEGER NOT NULL REFERENCES channels (id),
    webhook_event_id TEXT NOT NULL CHECK (webhook_event_id <> '' AND length(webhook_event_id) <= 128),
    type             TEXT NOT NULL CHECK (type <> ''),
    module_type      TEXT NOT NULL DEFAULT '',
    mode             TEXT NOT NULL DEFAULT '',
    destination      TEXT NOT NULL,
    bot_id           TEXT NOT NULL,
    source_type      TEXT NOT NULL DEFAULT '',
    source_user_id   TEXT,
    source_group_id  TEXT,
    source_room_id   TEXT,
    occurred_at      INTEGER NOT NULL,
    is_redelivery    INTEGER NOT NULL CHECK (is_redelivery IN (0, 1)),
    payload          TEXT,
    received_at      INTEGER NOT NULL,
    processed_at     INTEGER,
    UNIQUE (channel_id, webhook_event_id)
) STRICT;

-- A bot's event history on a channel's pages, newest first.
CREATE INDEX webhook_events_bot ON webhook_events (channel_id, bot_id, id);
-- A user's events for an account, scrubbed when they block it.
CREATE INDEX webhook_events_user ON webhook_events (bot_id, source_user_id) WHERE source_user_id IS NOT NULL;

-- What the portal keeps about a user of an account (bot_id): that they
-- follow it, since when. A row exists only while they do: blocking
-- (unfollow) deletes it, so "blocked" is the absence of a row, not a
-- state the portal keeps about the person. first_seen_at is the first
-- follow since then; followed_at and unblocked the latest follow's.
CREATE TABLE oa_users (
    bot_id        TEXT NOT NULL CHECK (bot_id <> ''),
    user_id       TEXT NOT NULL CHECK (user_id <> ''),
    first_seen_at INTEGER NOT NULL,
    followed_at   INTEGER NOT NULL,
    unblocked     INTEGER NOT NULL CHECK (unblocked IN (0, 1)),
    PRIMARY KEY (bot_id, user_id),
    CHECK (followed_at >= first_seen_at)
) STRICT, WITHOUT ROWID;
