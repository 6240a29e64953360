-- When friend_flag was last known: the latest sign-in, or the latest
-- follow or unfollow of the portal's Official Account its webhook told
-- (store.DB.RecordFriendships). A change that happened before it, as LINE
-- redelivers late or out of order, changes nothing. Flags from before
-- this migration are as of their sign-in.
ALTER TABLE admins ADD COLUMN friend_flag_at INTEGER;
UPDATE admins SET friend_flag_at = last_sign_in_at WHERE last_sign_in_at > 0;
