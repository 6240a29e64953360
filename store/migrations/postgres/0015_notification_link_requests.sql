-- The link request a notice names, as a column with an index (see
-- ../0015_notification_link_requests.sql).
ALTER TABLE notifications ADD COLUMN link_request_id BIGINT REFERENCES link_requests (id);
UPDATE notifications SET link_request_id = (params::jsonb ->> 'RequestID')::bigint
WHERE params::jsonb ->> 'RequestID' IS NOT NULL;
CREATE INDEX notifications_link_request ON notifications (link_request_id) WHERE link_request_id IS NOT NULL;
