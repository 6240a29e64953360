-- Notifications as LINE messages (see ../0013_line_notices.sql).
CREATE TABLE line_outbox (
    notification_id BIGINT PRIMARY KEY REFERENCES notifications (id),
    admin_id        BIGINT NOT NULL REFERENCES admins (id),
    approval        BIGINT NOT NULL CHECK (approval IN (0, 1)),
    created_at      BIGINT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'waiting' CHECK (state IN ('waiting', 'claimed', 'sent', 'held', 'failed')),
    message_key     TEXT,
    done_at         BIGINT,
    CHECK (state = 'held' OR (state = 'waiting') = (message_key IS NULL))
);

CREATE INDEX line_outbox_waiting ON line_outbox (admin_id, created_at) WHERE state = 'waiting';
CREATE INDEX line_outbox_claimed ON line_outbox (message_key) WHERE state = 'claimed';

CREATE TABLE line_notice_choices (
    admin_id BIGINT NOT NULL REFERENCES admins (id),
    kind     TEXT NOT NULL CHECK (kind <> ''),
    by_line  BIGINT NOT NULL CHECK (by_line IN (0, 1)),
    PRIMARY KEY (admin_id, kind)
);
