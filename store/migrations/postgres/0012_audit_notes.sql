-- Audit notes (see ../0012_audit_notes.sql). Adding a column with a
-- constant default rewrites no row and fires no trigger.
ALTER TABLE audit_log ADD COLUMN before_code TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN before_params TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN after_code TEXT NOT NULL DEFAULT '';
ALTER TABLE audit_log ADD COLUMN after_params TEXT NOT NULL DEFAULT '';
