-- Official Accounts' plans by country (see ../0010_oa_plans.sql for the
-- mapping of the old packages and why unlinked accounts have no plan).
ALTER TABLE official_accounts ADD COLUMN plan TEXT NOT NULL DEFAULT '' CHECK (plan IN ('',
    'jp_communication', 'jp_light', 'jp_standard', 'th_free', 'th_basic', 'th_pro', 'tw_light', 'tw_medium', 'tw_high'));

UPDATE official_accounts SET plan = CASE package WHEN 'free' THEN 'jp_communication' WHEN 'basic' THEN 'jp_light' ELSE 'jp_standard' END
WHERE EXISTS (SELECT 1 FROM links l JOIN organizations g ON g.id = l.org_id
    WHERE l.official_account_id = official_accounts.id AND l.ended_at IS NULL AND g.region = 'JP');

ALTER TABLE official_accounts DROP COLUMN package;
