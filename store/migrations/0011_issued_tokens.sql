-- Channel access tokens the portal issues itself (issue 13): with a
-- channel's ID and secret it asks LINE for a stateless token (15 minutes)
-- when it needs one, keeps it sealed in sealed_token like a pasted token,
-- and records when it expires so that any instance replaces it before
-- then. NULL is a token an Admin pasted, whose expiry the portal does not
-- know and which it never replaces.
ALTER TABLE channel_credentials ADD COLUMN token_expires_at INTEGER;
