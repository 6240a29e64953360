-- Channel access tokens the portal issues itself (see
-- ../0011_issued_tokens.sql).
ALTER TABLE channel_credentials ADD COLUMN token_expires_at BIGINT;
