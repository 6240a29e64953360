-- The link request a notice names (its RequestID parameter), as a column
-- with an index (issue 15): deciding a request settles its unread notices,
-- and finding them through params LIKE read every unread notice of the
-- organization's administrators, tens of thousands on the benchmark's
-- data set, in every send and approval.
ALTER TABLE notifications ADD COLUMN link_request_id INTEGER REFERENCES link_requests (id);
UPDATE notifications SET link_request_id = CAST(json_extract(params, '$.RequestID') AS INTEGER)
WHERE json_extract(params, '$.RequestID') IS NOT NULL;
CREATE INDEX notifications_link_request ON notifications (link_request_id) WHERE link_request_id IS NOT NULL;
