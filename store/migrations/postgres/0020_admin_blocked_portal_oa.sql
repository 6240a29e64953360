-- Whether the person blocked the portal's Official Account: LINE's
-- unfollow event says so (a friend who blocks it unfollows), and a later
-- follow (an unblock, or a new friend) ends it. A sign-in's friendFlag
-- can't tell blocked from never added, so a sign-in that finds no friend
-- keeps what the webhook told. LINE's friendship statuses are then three:
-- a friend, blocked, not a friend (glossary X25). Blocks before this
-- migration are not known.
ALTER TABLE admins ADD COLUMN friend_blocked BIGINT NOT NULL DEFAULT 0 CHECK (friend_blocked IN (0, 1));
