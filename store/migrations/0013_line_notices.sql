-- Notifications as LINE messages (issue 11). The notices that go by LINE
-- wait in line_outbox, written in the transaction that records the
-- notification, for the people who are friends of the portal's Official
-- Account and want that kind by LINE. A background sender, one portal
-- instance at a time (a lease), gathers a person's waiting notices into
-- one message: it claims them under one message key (state 'claimed', the
-- key names the LINE retry key), pushes, and marks them 'sent'. A claimed
-- message whose push failed, or whose outcome was lost, is pushed again
-- with the same key, and LINE sends it once. 'held': the quota was near
-- its end and the notice is no approval request, or the quota was used up;
-- the notice stays in the portal only. 'failed': LINE refused the message.
CREATE TABLE line_outbox (
    notification_id INTEGER PRIMARY KEY REFERENCES notifications (id),
    admin_id        INTEGER NOT NULL REFERENCES admins (id),
    approval        INTEGER NOT NULL CHECK (approval IN (0, 1)),
    created_at      INTEGER NOT NULL,
    state           TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'claimed', 'sent', 'held', 'failed')),
    message_key     TEXT,
    done_at         INTEGER,
    CHECK (state = 'held' OR (state = 'waiting') = (message_key IS NULL))
) STRICT;

CREATE INDEX line_outbox_waiting ON line_outbox (admin_id, created_at) WHERE state = 'waiting';
CREATE INDEX line_outbox_claimed ON line_outbox (message_key) WHERE state = 'claimed';

-- Which kinds of notice a person wants by LINE, where they chose; a kind
-- with no row takes the portal's default (portal.NoticeKind.ByLINEByDefault).
CREATE TABLE line_notice_choices (
    admin_id INTEGER NOT NULL REFERENCES admins (id),
    kind     TEXT NOT NULL CHECK (kind <> ''),
    by_line  INTEGER NOT NULL CHECK (by_line IN (0, 1)),
    PRIMARY KEY (admin_id, kind)
) STRICT;
