-- An audit entry's state before and after as notes (issue 10): a code and
-- its URL-encoded parameters, which the edge writes in each reader's
-- language. Entries logged before this migration keep the store's English
-- sentence in before and after, with empty codes; new entries leave before
-- and after empty. The audit log is append-only: old rows are never
-- rewritten, only columns added.
ALTER TABLE audit_log ADD COLUMN before_code TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN before_params TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN after_code TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN after_params TEXT NOT NULL DEFAULT '';
