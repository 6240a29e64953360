-- An organization's current Official Account links, newest first (issue 15).
-- links_org_current holds every current link of the organization, channels
-- too: on the benchmark's data set its "Accounts & channels" page read the
-- 20,000 channel links to find its few Official Accounts, two thirds of the
-- page's CPU.
CREATE INDEX links_org_current_official_account ON links (org_id, id) WHERE ended_at IS NULL AND official_account_id IS NOT NULL;
