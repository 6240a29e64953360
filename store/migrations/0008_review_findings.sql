-- Why the rules reached a review outcome, as a reason and its parameters
-- (issue 10): the edge writes it in each reader's language. A row with a
-- finding holds the reason's code in reason and its URL-encoded parameters
-- here; '' is an operator's words (an override) or a row recorded before
-- findings were kept, whose reason is the rules' English sentence.
-- Reviews are append-only: old rows are never rewritten.
ALTER TABLE link_reviews ADD COLUMN finding TEXT NOT NULL DEFAULT '';
