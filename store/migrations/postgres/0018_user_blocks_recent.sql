-- A batch of webhook events reads its account's blocks no older than its
-- earliest event, once, rather than each user's latest block: an older
-- block forgets none of the batch's events (portal.ForgottenOnArrival).
CREATE INDEX user_blocks_recent ON user_blocks (bot_id, blocked_at);
