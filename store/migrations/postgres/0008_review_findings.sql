-- Review findings (see ../0008_review_findings.sql).
ALTER TABLE link_reviews ADD COLUMN finding TEXT NOT NULL DEFAULT '';
