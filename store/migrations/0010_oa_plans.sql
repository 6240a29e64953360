-- Official Accounts' plans by country (issue 13). The package column held
-- Thailand's package names (Free, Basic, Pro, from 004) for every account;
-- plans differ by market, so the plan now names its country too
-- (portal.OAPlan), and '' means the portal does not know the account's
-- country.
--
-- An account linked to a Japanese organization now is Japanese (Business
-- Manager linking exists only in Japan, 000), and its package maps to
-- Japan's plan of the same rank: Free → Communication, Basic → Light,
-- Pro → Standard. Any other account's country is unknown, so its plan is
-- not set and its page asks an Admin to choose, rather than guess
-- (docs/decisions.md).
ALTER TABLE official_accounts ADD COLUMN plan TEXT NOT NULL DEFAULT '' CHECK (plan IN ('',
    'jp_communication', 'jp_light', 'jp_standard', 'th_free', 'th_basic', 'th_pro', 'tw_light', 'tw_medium', 'tw_high'));

UPDATE official_accounts SET plan = CASE package WHEN 'free' THEN 'jp_communication' WHEN 'basic' THEN 'jp_light' ELSE 'jp_standard' END
WHERE EXISTS (SELECT 1 FROM links l JOIN organizations g ON g.id = l.org_id
    WHERE l.official_account_id = official_accounts.id AND l.ended_at IS NULL AND g.region = 'JP');

ALTER TABLE official_accounts DROP COLUMN package;
