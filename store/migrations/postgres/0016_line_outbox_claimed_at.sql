-- A claimed LINE message has a deadline: portal.LINEPushDeadline after it
-- was first claimed, it is marked 'failed' instead of being pushed again,
-- because LINE remembers a retry key for 24 hours only and a push after
-- that could reach its person twice; until then a message LINE did not
-- take (5xx, lost answer) is pushed again. claimed_at is when the message
-- was first claimed; it stays when another instance takes it over. A
-- message claimed before this migration takes its oldest notice's time,
-- which is before its first claim: its deadline comes sooner, never later.
ALTER TABLE line_outbox ADD COLUMN claimed_at BIGINT;

UPDATE line_outbox SET claimed_at = (SELECT MIN(o.created_at) FROM line_outbox o WHERE o.message_key = line_outbox.message_key)
WHERE state = 'claimed';
