-- The latest time each user blocked an account (an unfollow), so that
-- their events from before it that LINE delivers late (a redelivery, or
-- out of order) are forgotten on arrival, as the block forgot the others
-- (portal.ForgottenOnArrival). The user is kept as the SHA-256 of their
-- user ID, never the ID itself: the block deleted everything the portal
-- kept about them. channel_id 0 (no channel has it) is a block for every
-- channel, from an unfollow received by a channel attached to the
-- account; another is a block for that channel only, from one received
-- by a channel that is not (portal.EffectForgetUserHere). Blocks before
-- this migration are not known.
CREATE TABLE user_blocks (
    bot_id     TEXT NOT NULL CHECK (bot_id <> ''),
    user_key   BYTEA NOT NULL CHECK (length(user_key) = 32),
    channel_id BIGINT NOT NULL CHECK (channel_id >= 0),
    blocked_at BIGINT NOT NULL,
    PRIMARY KEY (bot_id, user_key, channel_id)
);
